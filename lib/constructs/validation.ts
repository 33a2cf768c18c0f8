/**
 * Synth-time checks. Each error names the construct, the prop, the value it got and what is
 * allowed, so that a bad input is fixed from the message alone. Unresolved tokens (values only
 * Terraform knows) are not checked here: Terraform and AWS check them at apply.
 */
import { Token } from "cdktf";
import type { IConstruct } from "constructs";
import {
  DEFAULT_ROTATION_INTERVAL_HOURS,
  MAX_ROTATION_INTERVAL_HOURS,
  MIN_ROTATION_INTERVAL_HOURS,
} from "../contract";
import { checkTogaiBaseUrl } from "../togai/base-url";
import { TogaiLambdaArchitecture, TogaiLambdaRuntime } from "./constants";
import { TogaiValidationError } from "./errors";
import type { TogaiTokenRotationProps } from "./token-rotation-props";

export { TogaiValidationError } from "./errors";

function known(value: unknown): boolean {
  return value !== undefined && !Token.isUnresolved(value);
}

/** `value` must be a whole number from `min` to `max`. */
export function checkIntegerRange(
  scope: IConstruct,
  prop: string,
  value: number | undefined,
  min: number,
  max: number,
  unit: string,
): void {
  if (!known(value)) return;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new TogaiValidationError(
      scope,
      `${prop} must be a whole number from ${min} to ${max} ${unit}, got ${value}`,
    );
  }
}

/** Secrets Manager's recovery window: 0 (delete at once) or 7 to 30 days. */
export function checkRecoveryWindow(scope: IConstruct, value: number | undefined): void {
  if (!known(value)) return;
  if (
    !(value === 0 || (Number.isInteger(value) && (value as number) >= 7 && (value as number) <= 30))
  ) {
    throw new TogaiValidationError(
      scope,
      `recoveryWindowInDays must be 0 (delete without recovery) or 7 to 30 days, got ${value}`,
    );
  }
}

export const ARN_PATTERNS = {
  secret: {
    // A full ARN: IAM policies and the name-from-ARN helper need Secrets Manager's random
    // "-XXXXXX" suffix; a partial ARN (without it) matches no secret in a policy.
    pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/,
    example:
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-api-key-AbCdEf (the full ARN, ending in the 6 random characters Secrets Manager appends to the name)",
  },
  kmsKey: {
    pattern: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/,
    example:
      "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (a key ARN: IAM policies cannot name an alias)",
  },
  role: {
    pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    example: "arn:aws:iam::123456789012:role/my-consumer",
  },
  snsTopic: {
    pattern: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/,
    example: "arn:aws:sns:us-east-1:123456789012:billing-alerts",
  },
  iamPrincipal: {
    pattern: /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/,
    example: "arn:aws:iam::123456789012:role/break-glass (an exact role or user ARN, no wildcards)",
  },
  principal: {
    pattern: /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+))$/,
    example: "123456789012 or arn:aws:iam::123456789012:role/reader",
  },
} as const;

export type ArnKind = keyof typeof ARN_PATTERNS;

/** `value` must be an ARN of the given kind. */
export function checkArn(
  scope: IConstruct,
  prop: string,
  value: string | undefined,
  kind: ArnKind,
): void {
  if (!known(value)) return;
  const { pattern, example } = ARN_PATTERNS[kind];
  if (!pattern.test(value as string)) {
    throw new TogaiValidationError(
      scope,
      `${prop} is not a valid ARN: got "${value}", expected e.g. ${example}`,
    );
  }
}

/** Togai's base URL: https, or plain http on loopback only (for tests and local stand-ins). */
function checkApiBaseUrl(scope: IConstruct, value: string | undefined): void {
  if (!known(value)) return;
  const { url, problem } = checkTogaiBaseUrl(value as string);
  if (problem === "not-absolute") {
    throw new TogaiValidationError(
      scope,
      `apiBaseUrl must be an absolute URL such as https://api.togai.com, got "${value}"`,
    );
  }
  if (problem === "insecure") {
    throw new TogaiValidationError(
      scope,
      `apiBaseUrl must use https (plain http is allowed only for 127.0.0.1 or localhost), got "${value}"`,
    );
  }
  if (url && problem === "not-an-origin") {
    throw new TogaiValidationError(
      scope,
      `apiBaseUrl must be an origin without path, query or credentials (e.g. https://api.togai.com), got "${url.origin}${url.pathname}${url.search ? "?…" : ""}"`,
    );
  }
}

/** Exactly one of two props must be given. */
function checkExactlyOne(scope: IConstruct, a: [string, unknown], b: [string, unknown]): void {
  const given = [a, b].filter(([, v]) => v !== undefined);
  if (given.length !== 1) {
    const which = given.length === 0 ? "neither was given" : "both were given";
    throw new TogaiValidationError(scope, `give exactly one of ${a[0]} or ${b[0]}: ${which}`);
  }
}

/** `value`, when given, must be one of `allowed`. */
function checkOneOf<T>(
  scope: IConstruct,
  prop: string,
  value: T | undefined,
  allowed: T[],
  what = "",
): void {
  if (!known(value) || allowed.includes(value as T)) return;
  throw new TogaiValidationError(
    scope,
    `${prop} must be one of ${what}${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(value)}`,
  );
}

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** Every check of {@link TogaiTokenRotationProps}, at synth. */
export function validateTokenRotationProps(
  scope: IConstruct,
  props: TogaiTokenRotationProps,
): void {
  checkExactlyOne(scope, ["apiKey", props.apiKey], ["apiKeySecretArn", props.apiKeySecretArn]);
  checkArn(scope, "apiKeySecretArn", props.apiKeySecretArn, "secret");
  checkArn(scope, "apiKeyKmsKeyArn", props.apiKeyKmsKeyArn, "kmsKey");
  checkArn(scope, "kmsKeyArn", props.kmsKeyArn, "kmsKey");
  checkArn(scope, "environmentEncryptionKeyArn", props.environmentEncryptionKeyArn, "kmsKey");
  if (props.apiKey && props.apiKeyKmsKeyArn) {
    throw new TogaiValidationError(
      scope,
      "apiKeyKmsKeyArn applies only with apiKeySecretArn; apiKey already knows its key",
    );
  }
  if (props.kmsKeyArn && props.createKmsKey) {
    throw new TogaiValidationError(scope, "give kmsKeyArn or createKmsKey, not both");
  }
  checkRecoveryWindow(scope, props.recoveryWindowInDays);
  checkIntegerRange(
    scope,
    "rotationIntervalHours",
    props.rotationIntervalHours,
    MIN_ROTATION_INTERVAL_HOURS,
    MAX_ROTATION_INTERVAL_HOURS,
    "hours (Secrets Manager needs at least 4; tokens live 24 h, so from 12 on a single window whose every attempt failed would let the current token expire)",
  );
  checkApiBaseUrl(scope, props.apiBaseUrl);
  checkIntegerRange(scope, "minTokenLifeHours", props.minTokenLifeHours, 1, 23, "hours");
  checkIntegerRange(scope, "memorySize", props.memorySize, 128, 10240, "MB");
  checkIntegerRange(scope, "timeoutSeconds", props.timeoutSeconds, 10, 900, "seconds");
  checkIntegerRange(
    scope,
    "reservedConcurrentExecutions",
    props.reservedConcurrentExecutions,
    1,
    1000,
    "executions",
  );
  checkOneOf(
    scope,
    "logRetentionDays",
    props.logRetentionDays,
    LOG_RETENTION_DAYS,
    "CloudWatch Logs' values: ",
  );
  checkOneOf(scope, "runtime", props.runtime, TogaiLambdaRuntime.ALL);
  checkOneOf(scope, "architecture", props.architecture, TogaiLambdaArchitecture.ALL);
  if (known(props.functionName) && !/^[a-zA-Z0-9_-]{1,64}$/.test(props.functionName as string)) {
    throw new TogaiValidationError(
      scope,
      `functionName must be 1 to 64 letters, digits, - or _, got "${props.functionName}"`,
    );
  }
  if (Boolean(props.vpcSubnetIds?.length) !== Boolean(props.securityGroupIds?.length)) {
    throw new TogaiValidationError(
      scope,
      "give vpcSubnetIds and securityGroupIds together (a function in a VPC needs both)",
    );
  }
  validateOperations(scope, props);
}

function validateOperations(scope: IConstruct, props: TogaiTokenRotationProps): void {
  for (const principal of props.crossAccountReadPrincipals ?? []) {
    checkArn(scope, "crossAccountReadPrincipals", principal, "principal");
  }
  if (props.crossAccountReadPrincipals?.length && !props.kmsKeyArn) {
    throw new TogaiValidationError(
      scope,
      "crossAccountReadPrincipals needs kmsKeyArn: other accounts cannot decrypt with the AWS managed key, so give a customer-managed key whose key policy lets them decrypt through Secrets Manager",
    );
  }
  if (props.alarmTopicArn && props.createAlarmTopic) {
    throw new TogaiValidationError(scope, "give alarmTopicArn or createAlarmTopic, not both");
  }
  checkArn(scope, "alarmTopicArn", props.alarmTopicArn, "snsTopic");
  const alerting = Boolean(props.alarmTopicArn || props.createAlarmTopic);
  if (props.tokenAgeAlarmHours !== undefined && !alerting) {
    throw new TogaiValidationError(
      scope,
      "tokenAgeAlarmHours needs alerting: give alarmTopicArn or createAlarmTopic",
    );
  }
  const interval = props.rotationIntervalHours ?? DEFAULT_ROTATION_INTERVAL_HOURS;
  if (!Token.isUnresolved(interval)) {
    checkIntegerRange(
      scope,
      "tokenAgeAlarmHours",
      props.tokenAgeAlarmHours,
      interval + 1,
      23,
      `hours (more than the ${interval} h rotation interval, less than a token's 24 h)`,
    );
  }
  const seen = new Set<string>();
  for (const replica of props.replicaRegions ?? []) {
    if (Token.isUnresolved(replica.region)) continue;
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(replica.region)) {
      throw new TogaiValidationError(
        scope,
        `replicaRegions holds "${replica.region}", which is not an AWS region such as eu-west-1`,
      );
    }
    if (seen.has(replica.region)) {
      throw new TogaiValidationError(scope, `replicaRegions names ${replica.region} twice`);
    }
    seen.add(replica.region);
    checkArn(scope, `replicaRegions[${replica.region}].kmsKeyArn`, replica.kmsKeyArn, "kmsKey");
    const keyRegion = known(replica.kmsKeyArn) ? replica.kmsKeyArn?.split(":")[3] : undefined;
    if (keyRegion && keyRegion !== replica.region) {
      throw new TogaiValidationError(
        scope,
        `replicaRegions[${replica.region}].kmsKeyArn is a key in ${keyRegion}: a replica needs a key in its own region`,
      );
    }
  }
}
