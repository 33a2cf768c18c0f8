/**
 * Each example synthesizes, and Terraform (for real, offline through the provider mirror) inits
 * and validates the result. The JSON holds no secret, no path of this machine, no `*` resource.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type TerraformStack, Testing } from "cdktf";
import { BasicStack } from "../../examples/basic/main";
import { ExistingSecretStack } from "../../examples/existing-secret/main";
import { HardenedStack } from "../../examples/hardened/main";
import { OperationsStack } from "../../examples/operations/main";
import { initAndValidate } from "../support/terraform";

const examples: Array<[string, (app: ReturnType<typeof Testing.app>) => TerraformStack]> = [
  ["basic", (app) => new BasicStack(app, "togai-basic")],
  [
    "basic with the key from an ephemeral variable",
    (app) => new BasicStack(app, "togai-basic-wo", { keyFromEphemeralVariable: true }),
  ],
  ["existing-secret", (app) => new ExistingSecretStack(app, "togai-existing-secret")],
  ["hardened", (app) => new HardenedStack(app, "togai-hardened")],
  ["operations", (app) => new OperationsStack(app, "togai-operations")],
];

describe.each(examples)("example %s", (_name, build) => {
  let stackDir: string;
  let json: string;

  beforeAll(() => {
    const app = Testing.app();
    const stack = build(app);
    const outdir = Testing.fullSynth(stack);
    stackDir = join(outdir, "stacks", stack.node.id);
    json = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
  });

  test("terraform init and validate pass", async () => {
    const result = await initAndValidate(stackDir);
    expect(result.stdout).toContain("The configuration is valid");
  }, 120_000);

  test("no wildcard resource, no machine path", () => {
    expect(json).not.toMatch(/"Resource\\?":\s*\\?"\*\\?"/);
    expect(json).not.toContain(process.cwd());
    expect(json).not.toContain(homedir());
    expect(json).not.toMatch(/"(\/tmp|\/home|\/root|\/Users)\//);
  });

  test("the rotation zip is an asset with a relative path", () => {
    expect(json).toMatch(/"filename": "assets\/[^"]+\/rotation-function\.zip"/);
  });
});
