/**
 * The stack the module is generated from: TogaiApiKeySecret and TogaiTokenRotation with the
 * module's variables as props, synthesized once per combination of the props that change which
 * resources exist (a created or an existing key secret, a customer-managed KMS key or not, no
 * alerts, alerts to a created topic or to an existing one).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, Fn, TerraformLocal, TerraformOutput, TerraformStack, Token } from "cdktf";
import { TogaiApiKeySecret } from "../../lib/constructs/api-key-secret";
import { tokenReadPolicy } from "../../lib/constructs/policies";
import { TogaiTokenRotation } from "../../lib/constructs/token-rotation";
import { TOKEN_SECRET_ARN_ENV } from "../../lib/contract";
import type { TfJson } from "./merge";
import { declareVariables, type ModuleVariables } from "./variables";

/** The props that decide which resources exist, and so cannot be plain Terraform values. */
export interface VariantChoice {
  /** The module adopts the secret at api_key_secret_arn instead of creating one. */
  readonly existingKeySecret: boolean;
  /** The adopted key secret is encrypted with api_key_kms_key_arn. */
  readonly apiKeyKms: boolean;
  /** kms_key_arn encrypts the token secret (and a created key secret). */
  readonly kms: boolean;
  readonly alerts: "off" | "created-topic" | "existing-topic";
}

function declareOutputs(
  stack: TerraformStack,
  key: TogaiApiKeySecret,
  rotation: TogaiTokenRotation,
): void {
  const region = new DataAwsRegion(stack, "ConsumerPolicyRegion").name;
  const outputs: Record<string, { value: unknown; description: string }> = {
    api_key_secret_arn: {
      value: key.secretArn,
      description:
        "ARN of the secret holding Togai's secret key: put the key with `cdktf-togai put-api-key --secret-id <this>`.",
    },
    token_secret_arn: {
      value: rotation.tokenSecretArn,
      description: `ARN of the token secret: give it to consumers as ${TOKEN_SECRET_ARN_ENV}.`,
    },
    token_secret_name: {
      value: rotation.tokenSecretName,
      description: "Name of the token secret.",
    },
    rotation_function_name: {
      value: rotation.functionName,
      description: "Name of the rotation function (its logs and metrics).",
    },
    rotation_function_arn: {
      value: rotation.functionArn,
      description: "ARN of the rotation function.",
    },
    rotation_role_arn: {
      value: rotation.roleArn,
      description: "ARN of the rotation function's role.",
    },
    consumer_read_policy_json: {
      value: JSON.stringify(
        tokenReadPolicy(rotation.tokenSecretArn, region, rotation.tokenKmsKeyArn),
      ),
      description:
        "IAM policy document (JSON) for a consumer: GetSecretValue and DescribeSecret on the token secret only (and kms:Decrypt through Secrets Manager with kms_key_arn). Attach it to a consumer's role.",
    },
    alarm_topic_arn: {
      value: rotation.alarmTopicArn ?? Token.nullValue(),
      description: "The SNS topic alerts go to, when alerts_enabled (else null).",
    },
  };
  for (const [name, { value, description }] of Object.entries(outputs)) {
    new TerraformOutput(stack, `Output_${name}`, { value, description }).overrideLogicalId(name);
  }
}

function build(stack: TerraformStack, vars: ModuleVariables, choice: VariantChoice): void {
  const tags = vars.tags.value as { [key: string]: string };
  const kmsKeyArn = choice.kms ? vars.kmsKeyArn.stringValue : undefined;
  const key = choice.existingKeySecret
    ? new TogaiApiKeySecret(stack, "ApiKey", {
        existingSecretArn: vars.apiKeySecretArn.stringValue,
        kmsKeyArn: choice.apiKeyKms ? vars.apiKeyKmsKeyArn.stringValue : undefined,
      })
    : new TogaiApiKeySecret(stack, "ApiKey", {
        secretName: vars.apiKeySecretName.stringValue,
        kmsKeyArn,
        tags,
      });
  const interval = vars.rotationIntervalHours.numberValue;
  const alerts = choice.alerts !== "off";
  const rotation = new TogaiTokenRotation(stack, "Rotation", {
    apiKey: key,
    tokenSecretName: vars.tokenSecretName.stringValue,
    kmsKeyArn,
    functionName: vars.functionName.stringValue,
    rotationIntervalHours: interval,
    apiBaseUrl: vars.togaiBaseUrl.stringValue,
    alarmTopicArn: choice.alerts === "existing-topic" ? vars.alarmTopicArn.stringValue : undefined,
    createAlarmTopic: choice.alerts === "created-topic" ? true : undefined,
    // The constructs' default (twice the interval, at most 20 h), computed by Terraform.
    tokenAgeAlarmHours: alerts
      ? new TerraformLocal(stack, "TokenAgeAlarmHours", Fn.min([Fn.sum([interval, interval]), 20]))
          .asNumber
      : undefined,
    memorySize: vars.memorySize.numberValue,
    timeoutSeconds: vars.timeoutSeconds.numberValue,
    architecture: vars.architecture.stringValue,
    runtime: vars.runtime.stringValue,
    logRetentionDays: vars.logRetentionDays.numberValue,
    outputs: false,
    tags,
  });
  // A name variable that may be null: the constructs choose a prefix for a name not given, which
  // a Terraform value cannot tell at synth; the prefix is then chosen by Terraform.
  key.secret?.addOverride(
    "name_prefix",
    '${var.api_key_secret_name == null ? "togai-api-key-" : null}',
  );
  rotation.tokenSecret.addOverride(
    "name_prefix",
    '${var.token_secret_name == null ? "togai-token-" : null}',
  );
  // The constructs name the role after their path, which is the same in every module instance.
  rotation.role.addOverride("name", vars.functionName.stringValue);
  declareOutputs(stack, key, rotation);
}

/** The synthesized Terraform JSON of one variant. */
export function synthVariant(choice: VariantChoice): TfJson {
  const outdir = mkdtempSync(join(tmpdir(), "togai-module-"));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "togai");
    // Only for synth; the module's output has no provider configuration (it inherits the caller's).
    new AwsProvider(stack, "aws", {});
    build(stack, declareVariables(stack), choice);
    return stack.toTerraform() as TfJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
