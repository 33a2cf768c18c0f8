/**
 * The plain Terraform module in terraform/ is what the generator makes from the constructs today
 * (the test fails when the constructs changed and the module was not regenerated), and Terraform
 * accepts it and its README's usage example.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terraformModuleFiles, ZIP_NAME } from "../../scripts/terraform-module/generate";
import { USAGE_EXAMPLE } from "../../scripts/terraform-module/readme";
import { PROJECT_ROOT } from "../support/rotation-driver";
import { terraform } from "../support/terraform";
import { MODULE_DIR } from "../support/terraform-module-root";

const REGENERATE = "npm run build && npm run build:terraform-module";

describe("the module is generated from the constructs", () => {
  test("regenerating it gives the committed terraform/, byte for byte", () => {
    const expected = { ...terraformModuleFiles() };
    const committed = readdirSync(MODULE_DIR).filter((f) => !f.startsWith("."));
    expect(committed.sort()).toEqual([...Object.keys(expected), ZIP_NAME].sort());
    for (const [name, text] of Object.entries(expected)) {
      const actual = readFileSync(join(MODULE_DIR, name), "utf8");
      if (actual !== text) {
        throw new Error(
          `terraform/${name} is not what the constructs generate now: run \`${REGENERATE}\` and commit terraform/`,
        );
      }
    }
    const zip = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
    const built = join(PROJECT_ROOT, "assets", ZIP_NAME);
    if (zip(join(MODULE_DIR, ZIP_NAME)) !== zip(built)) {
      throw new Error(
        `terraform/${ZIP_NAME} is not the rotation function built now: run \`${REGENERATE}\` and commit terraform/`,
      );
    }
  });

  test("terraform validate accepts it, and its README's usage example", async () => {
    const copy = mkdtempSync(join(tmpdir(), "togai-module-"));
    const example = mkdtempSync(join(tmpdir(), "togai-module-example-"));
    cpSync(MODULE_DIR, copy, { recursive: true });
    const gitSource = /source = "git::[^"]+\/\/terraform\?ref=v[\d.]+"/;
    expect(USAGE_EXAMPLE).toMatch(gitSource);
    writeFileSync(
      join(example, "main.tf"),
      USAGE_EXAMPLE.replace(gitSource, `source = ${JSON.stringify(MODULE_DIR)}`),
    );
    try {
      for (const dir of [copy, example]) {
        await terraform(["init", "-input=false", "-no-color", "-backend=false"], dir);
        const result = await terraform(["validate", "-no-color"], dir);
        expect(result.stdout).toContain("The configuration is valid.");
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
      rmSync(example, { recursive: true, force: true });
    }
  });
});
