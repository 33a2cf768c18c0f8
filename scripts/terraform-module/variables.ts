/**
 * The module's input variables: what the construct props take, with Terraform validations that
 * mirror the constructs' synth-time checks (a module's caller gets the same messages at plan).
 */
import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { ARN_PATTERNS, type ArnKind, LOG_RETENTION_DAYS } from "../../lib/constructs/validation";
import {
  DEFAULT_ROTATION_INTERVAL_HOURS,
  MAX_ROTATION_INTERVAL_HOURS,
  MIN_ROTATION_INTERVAL_HOURS,
  TOGAI_PRODUCTION_BASE_URL,
} from "../../lib/contract";

export interface ModuleVariables {
  readonly apiKeySecretName: TerraformVariable;
  readonly apiKeySecretArn: TerraformVariable;
  readonly apiKeyKmsKeyArn: TerraformVariable;
  readonly kmsKeyArn: TerraformVariable;
  readonly tokenSecretName: TerraformVariable;
  readonly functionName: TerraformVariable;
  readonly rotationIntervalHours: TerraformVariable;
  readonly togaiBaseUrl: TerraformVariable;
  readonly alertsEnabled: TerraformVariable;
  readonly alarmTopicArn: TerraformVariable;
  readonly tags: TerraformVariable;
  readonly memorySize: TerraformVariable;
  readonly timeoutSeconds: TerraformVariable;
  readonly architecture: TerraformVariable;
  readonly runtime: TerraformVariable;
  readonly logRetentionDays: TerraformVariable;
}

/** A number variable that must be a whole number from `min` to `max`. */
function integerVariable(
  scope: Construct,
  name: string,
  defaultValue: number,
  [min, max]: [number, number],
  description: string,
) {
  return variable(scope, name, {
    type: "number",
    default: defaultValue,
    nullable: false,
    description,
    validation: [
      {
        condition: `\${floor(var.${name}) == var.${name} && var.${name} >= ${min} && var.${name} <= ${max}}`,
        errorMessage: `${name} must be a whole number from ${min} to ${max}.`,
      },
    ],
  });
}

/** A string variable that must be one of `allowed`. */
function oneOfVariable(
  scope: Construct,
  name: string,
  allowed: string[],
  defaultValue: string,
  description: string,
) {
  return variable(scope, name, {
    type: "string",
    default: defaultValue,
    nullable: false,
    description,
    validation: [
      {
        condition: `\${contains(${JSON.stringify(allowed)}, var.${name})}`,
        errorMessage: `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}.`,
      },
    ],
  });
}

/** A JavaScript pattern as an RE2 pattern inside an HCL string. */
const hclPattern = (re: RegExp) => JSON.stringify(re.source).slice(1, -1);

function variable(
  scope: Construct,
  name: string,
  config: ConstructorParameters<typeof TerraformVariable>[2],
): TerraformVariable {
  const { default: defaultValue, ...rest } = config;
  // cdktf drops a null default; a null default is what makes a Terraform variable optional.
  const v = new TerraformVariable(scope, name, defaultValue === null ? rest : config);
  if (defaultValue === null) v.addOverride("default", null);
  v.overrideLogicalId(name);
  return v;
}

/** An optional ARN variable checked against the constructs' pattern for `kind`. */
function arnVariable(scope: Construct, name: string, kind: ArnKind, description: string) {
  const { pattern, example } = ARN_PATTERNS[kind];
  return variable(scope, name, {
    type: "string",
    default: null,
    description,
    validation: [
      {
        condition: `\${var.${name} == null || can(regex("${hclPattern(pattern)}", var.${name}))}`,
        errorMessage: `${name} must be an ARN such as ${example}.`,
      },
    ],
  });
}

/** Declares every variable of the module. */
export function declareVariables(scope: Construct): ModuleVariables {
  const apiKeySecretArn = arnVariable(
    scope,
    "api_key_secret_arn",
    "secret",
    "ARN of an existing secret that holds (or will hold) Togai's secret key. When null, the module creates the secret.",
  );
  return {
    apiKeySecretName: variable(scope, "api_key_secret_name", {
      type: "string",
      default: null,
      description:
        'Name of the secret the module creates for Togai\'s secret key. When null, a name starting with "togai-api-key-". Ignored with api_key_secret_arn.',
    }),
    apiKeySecretArn,
    apiKeyKmsKeyArn: variable(scope, "api_key_kms_key_arn", {
      type: "string",
      default: null,
      description:
        "Customer-managed KMS key (key ARN) of the existing secret at api_key_secret_arn, so the rotation function may decrypt it. Only with api_key_secret_arn.",
      validation: [
        {
          condition: `\${var.api_key_kms_key_arn == null || (var.api_key_secret_arn != null && can(regex("${hclPattern(ARN_PATTERNS.kmsKey.pattern)}", var.api_key_kms_key_arn)))}`,
          errorMessage: `api_key_kms_key_arn applies only with api_key_secret_arn (a secret the module creates uses kms_key_arn), and must be a key ARN such as ${ARN_PATTERNS.kmsKey.example}.`,
        },
      ],
    }),
    kmsKeyArn: arnVariable(
      scope,
      "kms_key_arn",
      "kmsKey",
      "Customer-managed KMS key (key ARN) for the token secret and for the key secret the module creates. When null, the AWS managed key aws/secretsmanager.",
    ),
    tokenSecretName: variable(scope, "token_secret_name", {
      type: "string",
      default: null,
      description:
        'Name of the token secret. When null, a name starting with "togai-token-", chosen by Terraform.',
    }),
    functionName: variable(scope, "function_name", {
      type: "string",
      default: "togai-token-rotation",
      description:
        'Name of the rotation function, its role and its log group ("/aws/lambda/" + this name). Give each instance of the module in an account its own.',
      validation: [
        {
          condition: '${can(regex("^[a-zA-Z0-9_-]{1,64}$", var.function_name))}',
          errorMessage: "function_name must be 1 to 64 letters, digits, - or _.",
        },
      ],
    }),
    rotationIntervalHours: variable(scope, "rotation_interval_hours", {
      type: "number",
      default: DEFAULT_ROTATION_INTERVAL_HOURS,
      nullable: false,
      description: `Hours between rotations, ${MIN_ROTATION_INTERVAL_HOURS} to ${MAX_ROTATION_INTERVAL_HOURS}. Tokens live 24 h: a window in which every attempt failed still leaves consumers a valid token.`,
      validation: [
        {
          condition: `\${floor(var.rotation_interval_hours) == var.rotation_interval_hours && var.rotation_interval_hours >= ${MIN_ROTATION_INTERVAL_HOURS} && var.rotation_interval_hours <= ${MAX_ROTATION_INTERVAL_HOURS}}`,
          errorMessage: `rotation_interval_hours must be a whole number from ${MIN_ROTATION_INTERVAL_HOURS} to ${MAX_ROTATION_INTERVAL_HOURS} (Secrets Manager needs at least 4; tokens live 24 h, so from 12 on a single window whose every attempt failed would let the current token expire).`,
        },
      ],
    }),
    togaiBaseUrl: variable(scope, "togai_base_url", {
      type: "string",
      default: TOGAI_PRODUCTION_BASE_URL,
      nullable: false,
      description:
        "Togai API base URL: https://api.togai.com (production), https://sandbox-api.togai.com (sandbox), or plain http on loopback for tests.",
      validation: [
        {
          condition:
            '${can(regex("^(https://[^/?#@\\\\s]+|http://(127\\\\.0\\\\.0\\\\.1|localhost|\\\\[::1\\\\])(:[0-9]+)?)/?$", var.togai_base_url))}',
          errorMessage:
            "togai_base_url must be an origin without path, query or credentials, using https (plain http only for 127.0.0.1 or localhost), e.g. https://api.togai.com.",
        },
      ],
    }),
    alertsEnabled: variable(scope, "alerts_enabled", {
      type: "bool",
      default: false,
      nullable: false,
      description:
        "Alert when a rotation fails or is abandoned, when the function errs, and when no token has been minted for twice the rotation interval (at most 20 h): to alarm_topic_arn, or to an SNS topic the module creates.",
    }),
    alarmTopicArn: variable(scope, "alarm_topic_arn", {
      type: "string",
      default: null,
      description:
        "Existing SNS topic for the alerts (its policy must let events.amazonaws.com and cloudwatch.amazonaws.com publish). Only with alerts_enabled; when null, the module creates a topic.",
      validation: [
        {
          condition: `\${var.alarm_topic_arn == null || (var.alerts_enabled && can(regex("${hclPattern(ARN_PATTERNS.snsTopic.pattern)}", var.alarm_topic_arn)))}`,
          errorMessage: `alarm_topic_arn needs alerts_enabled = true, and must be a topic ARN such as ${ARN_PATTERNS.snsTopic.example}.`,
        },
      ],
    }),
    tags: variable(scope, "tags", {
      type: "map(string)",
      default: {},
      nullable: false,
      description: "Tags for every resource the module creates.",
    }),
    memorySize: integerVariable(
      scope,
      "memory_size",
      256,
      [128, 10240],
      "Memory of the rotation function, in MB.",
    ),
    timeoutSeconds: integerVariable(
      scope,
      "timeout_seconds",
      60,
      [10, 900],
      "Timeout of the rotation function, in seconds; bounds Togai retries too.",
    ),
    architecture: oneOfVariable(
      scope,
      "architecture",
      ["arm64", "x86_64"],
      "arm64",
      "Instruction set of the rotation function.",
    ),
    runtime: oneOfVariable(
      scope,
      "runtime",
      ["nodejs20.x", "nodejs22.x"],
      "nodejs22.x",
      "Lambda runtime of the rotation function.",
    ),
    logRetentionDays: variable(scope, "log_retention_days", {
      type: "number",
      default: 30,
      nullable: false,
      description: "Retention of the rotation function's log group, in days.",
      validation: [
        {
          condition: `\${contains([${LOG_RETENTION_DAYS.join(", ")}], var.log_retention_days)}`,
          errorMessage: `log_retention_days must be one of CloudWatch Logs' values: ${LOG_RETENTION_DAYS.join(", ")}.`,
        },
      ],
    }),
  };
}
