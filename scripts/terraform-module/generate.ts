/**
 * Generates the plain Terraform module (terraform/) from the constructs: every variant of the
 * stack merged into one `main.tf.json`, the rotation zip beside it, and its README with the
 * inputs and outputs tables.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rotationBundle } from "../../lib/constructs/rotation-asset";
import { indexCountedReferences, mergeVariants, type TfJson } from "./merge";
import { moduleReadme } from "./readme";
import { synthVariant, type VariantChoice } from "./variants";

/** The AWS provider versions the module accepts: the 5.x the tests apply with, and 6.x. */
export const AWS_PROVIDER_RANGE = ">= 5.100.0, < 7.0.0";
/** Terraform versions: variable validations that name other variables need 1.9. */
export const TERRAFORM_VERSION_RANGE = ">= 1.9.0";
export const ZIP_NAME = "rotation-function.zip";

const ALERTS: Array<{ value: VariantChoice["alerts"]; condition: string }> = [
  { value: "off", condition: "!var.alerts_enabled" },
  { value: "existing-topic", condition: "var.alarm_topic_arn != null" },
  { value: "created-topic", condition: "true" },
];

/** Merges one dimension at a time, innermost (alerts) first, so conditions stay local. */
function mergedStack(): TfJson {
  const byAlerts = (c: Omit<VariantChoice, "alerts">) =>
    mergeVariants(
      ALERTS.map((a) => ({
        json: synthVariant({ ...c, alerts: a.value }),
        condition: a.condition,
      })),
    );
  const byKms = (c: Omit<VariantChoice, "alerts" | "kms">) =>
    mergeVariants([
      { json: byAlerts({ ...c, kms: false }), condition: "var.kms_key_arn == null" },
      { json: byAlerts({ ...c, kms: true }), condition: "true" },
    ]);
  const created = byKms({ existingKeySecret: false, apiKeyKms: false });
  const existing = mergeVariants([
    {
      json: byKms({ existingKeySecret: true, apiKeyKms: false }),
      condition: "var.api_key_kms_key_arn == null",
    },
    { json: byKms({ existingKeySecret: true, apiKeyKms: true }), condition: "true" },
  ]);
  return mergeVariants([
    { json: created, condition: "var.api_key_secret_arn == null" },
    { json: existing, condition: "true" },
  ]);
}

/** Drops cdktf's metadata ("//" keys, which name paths of the machine that synthesized). */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== "//")
      .map(([k, v]) => [k, withoutMetadata(v)]),
  );
}

/** A module: no provider configuration and no backend (the caller's apply), version ranges. */
function asModule(json: TfJson): TfJson {
  const { provider: _provider, terraform: _terraform, ...rest } = json;
  for (const fn of Object.values((rest.resource?.aws_lambda_function ?? {}) as TfJson)) {
    fn.filename = `\${path.module}/${ZIP_NAME}`;
  }
  return {
    terraform: {
      required_version: TERRAFORM_VERSION_RANGE,
      required_providers: {
        aws: { source: "hashicorp/aws", version: AWS_PROVIDER_RANGE },
      },
    },
    ...rest,
  };
}

/** The module's files, by name. */
export function terraformModuleFiles(): Record<string, string> {
  const json = asModule(indexCountedReferences(withoutMetadata(mergedStack()) as TfJson));
  return {
    "main.tf.json": `${JSON.stringify(json, null, 2)}\n`,
    "README.md": moduleReadme(json),
  };
}

/** Writes the module into `outDir`. */
export function writeTerraformModule(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(terraformModuleFiles())) {
    writeFileSync(join(outDir, name), text);
  }
  copyFileSync(rotationBundle().zipPath, join(outDir, ZIP_NAME));
}
