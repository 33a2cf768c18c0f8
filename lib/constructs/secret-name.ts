import { Fn, TerraformLocal, Token } from "cdktf";
import type { Construct } from "constructs";
import { partialSecretArn, SECRET_ARN_SUFFIX_PATTERN, secretNameFromArn } from "../aws/secret-arn";

/**
 * The name of the secret at `arn`, without Secrets Manager's random `-XXXXXX` suffix: callers
 * that name a secret by name (CloudTrail's `requestParameters.secretId`) use this form.
 *
 * A literal ARN is cut here; an ARN only Terraform knows (a variable, another resource) is cut by
 * Terraform's `replace()` at apply, through a local named `id` in `scope`. The local also keeps
 * the expression (and its quotes) out of JSON documents such as event patterns.
 */
export function secretNameOf(scope: Construct, id: string, arn: string): string {
  if (!Token.isUnresolved(arn)) return secretNameFromArn(arn) ?? arn.split(":")[6] ?? arn;
  return new TerraformLocal(
    scope,
    id,
    Fn.replace(Fn.element(Fn.split(":", arn), 6), `/${SECRET_ARN_SUFFIX_PATTERN}/`, ""),
  ).asString;
}

/**
 * The secret's ARN without the random suffix (a "partial ARN"): Secrets Manager accepts it as a
 * secret id, and CloudTrail then records it as given. Cut here for a literal ARN, by Terraform's
 * `replace()` at apply (through a local named `id`) for an ARN only Terraform knows.
 */
export function partialArnOf(scope: Construct, id: string, arn: string): string {
  if (!Token.isUnresolved(arn)) return partialSecretArn(arn);
  return new TerraformLocal(scope, id, Fn.replace(arn, `/${SECRET_ARN_SUFFIX_PATTERN}/`, ""))
    .asString;
}
