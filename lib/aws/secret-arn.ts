/** The secret name inside a Secrets Manager ARN (without the 6-character random suffix). */
export function secretNameFromArn(arn: string): string | undefined {
  const match = /^arn:[^:]+:secretsmanager:[^:]*:\d*:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn);
  return match?.[1];
}
