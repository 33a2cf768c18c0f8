import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { TogaiValidationError } from "./errors";

/** What `cdktf-togai put-api-key` and `status` need, as Terraform outputs. */
export interface RotationOutputValues {
  readonly apiKeySecretArn: string;
  readonly tokenSecretArn: string;
  readonly functionName: string;
  readonly functionArn: string;
}

/** The output names' suffixes, after `<constructId>_`. */
export const ROTATION_OUTPUT_SUFFIXES = {
  apiKeySecretArn: "api_key_secret_arn",
  tokenSecretArn: "token_secret_arn",
  functionName: "rotation_function_name",
  functionArn: "rotation_function_arn",
} as const;

const DESCRIPTIONS: Record<keyof RotationOutputValues, string> = {
  apiKeySecretArn: "ARN of the secret holding Togai's secret key (put-api-key --secret-id)",
  tokenSecretArn:
    "ARN of the Togai token secret (put-api-key --token-secret-id, status --secret-id)",
  functionName: "Name of the Togai token rotation function (its logs and metrics)",
  functionArn: "ARN of the Togai token rotation function",
};

/**
 * A construct id as a Terraform identifier: letters, digits, "_" and "-", not starting with a
 * digit or "-"; every other character becomes "_".
 */
export function terraformIdentifier(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/**
 * Declares `<id>_api_key_secret_arn`, `<id>_token_secret_arn`, `<id>_rotation_function_name` and
 * `<id>_rotation_function_arn` (the names exactly: the logical ids are overridden), so that
 * `cdktf output` gives an operator what the CLI needs. ARNs and names are not secrets.
 */
export function declareRotationOutputs(scope: Construct, values: RotationOutputValues): void {
  const prefix = terraformIdentifier(scope.node.id);
  const stack = TerraformStack.of(scope);
  const taken = new Map(
    stack.node
      .findAll()
      .filter((c): c is TerraformOutput => c instanceof TerraformOutput)
      .map((o) => [o.friendlyUniqueId, o.node.path]),
  );
  for (const key of Object.keys(ROTATION_OUTPUT_SUFFIXES) as Array<keyof RotationOutputValues>) {
    const name = `${prefix}_${ROTATION_OUTPUT_SUFFIXES[key]}`;
    const clash = taken.get(name);
    if (clash !== undefined) {
      throw new TogaiValidationError(
        scope,
        `the Terraform output "${name}" is already declared by ${clash}: two TogaiTokenRotation ` +
          `constructs in one stack whose ids give the same output names ("${prefix}_...") need ` +
          "different construct ids, or `outputs: false` on one of them",
      );
    }
    const output = new TerraformOutput(scope, `${key}Output`, {
      value: values[key],
      description: DESCRIPTIONS[key],
    });
    output.overrideLogicalId(name);
  }
}
