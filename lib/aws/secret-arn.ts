/**
 * Secrets Manager ARNs: the name inside one, and the "partial ARN" without the random suffix.
 * Imports nothing, so the constructs, the rotation function and consumers can all use it.
 */

/**
 * Secrets Manager appends "-" and six random characters to a secret's name in its ARN. As a
 * regular expression source, so Terraform's `replace()` can drop it from an ARN known only at apply.
 */
export const SECRET_ARN_SUFFIX_PATTERN = "-[A-Za-z0-9]{6}$";

/**
 * The secret's name inside a Secrets Manager ARN, without the random suffix; `undefined` when
 * `arn` is not a full secret ARN (e.g. already a name).
 */
export function secretNameFromArn(arn: string): string | undefined {
  const match = new RegExp(
    `^arn:[^:]+:secretsmanager:[^:]*:\\d*:secret:(.+)${SECRET_ARN_SUFFIX_PATTERN}`,
  ).exec(arn);
  return match?.[1];
}

/**
 * The ARN without the random suffix (a "partial ARN"): Secrets Manager accepts it as a secret
 * id, and CloudTrail records it as the caller gave it.
 */
export function partialSecretArn(arn: string): string {
  return arn.replace(new RegExp(SECRET_ARN_SUFFIX_PATTERN), "");
}
