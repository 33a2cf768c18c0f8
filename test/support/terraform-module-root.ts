/** Root configurations that call the plain Terraform module in terraform/, for its tests. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TfJson } from "../../scripts/terraform-module/merge";
import { PROJECT_ROOT } from "./rotation-driver";

export const MODULE_DIR = join(PROJECT_ROOT, "terraform");

/** The resource addresses a synthesized variant of the constructs has. */
export function addressesOf(json: TfJson): string[] {
  return Object.entries(json.resource as TfJson)
    .flatMap(([type, blocks]) => Object.keys(blocks as TfJson).map((name) => `${type}.${name}`))
    .sort();
}

export type Inputs = Record<string, string | number | boolean>;

/**
 * A root configuration calling the module once per entry of `modules`, as a user writes it (in
 * its own folder), with outputs `<module>_<output>`.
 */
export function rootConfig(modules: Record<string, Inputs>): string {
  const dir = mkdtempSync(join(tmpdir(), "togai-module-root-"));
  const blocks = Object.entries(modules).map(([name, inputs]) => {
    const args = Object.entries(inputs).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}\n`);
    const outputs = [
      "api_key_secret_arn",
      "token_secret_arn",
      "rotation_function_arn",
      "consumer_read_policy_json",
    ].map((o) => `output "${name}_${o}" {\n  value = module.${name}.${o}\n}\n`);
    return `module "${name}" {\n  source = ${JSON.stringify(MODULE_DIR)}\n${args.join("")}}\n${outputs.join("")}`;
  });
  writeFileSync(
    join(dir, "main.tf"),
    `provider "aws" {\n  region = "us-east-1"\n}\n\n${blocks.join("\n")}`,
  );
  return dir;
}

/** The module's resources as Terraform names them, without the module path and instance key. */
export const moduleAddresses = (text: string, module: string, suffix: string) =>
  [...text.matchAll(new RegExp(`module\\.${module}\\.(aws_\\S+)${suffix}`, "gm"))]
    .map((m) => m[1].replace(/\[0\]$/, ""))
    .sort();
