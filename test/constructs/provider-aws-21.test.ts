/**
 * The peer range admits both majors of the AWS bindings: 20.x (hashicorp/aws 5.x) and 21.x
 * (hashicorp/aws 6.x, what `npm install @cdktf/provider-aws` gets today). The default test run
 * builds against 20.x; here every example type-checks and synthesizes against 21.x, installed
 * beside it under the alias `@cdktf/provider-aws-v21`.
 *
 * `terraform validate` runs on the 20.x output only (test/constructs/examples.e2e.test.ts): the
 * tests run offline against a filesystem mirror that holds hashicorp/aws 5.100.0, and no
 * hashicorp/aws 6.x binary is reachable. What differs for 6.x is asserted on the JSON instead.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TerraformStack } from "cdktf";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..");
const V21 = "@cdktf/provider-aws-v21";
const V21_VERSION: string = require(`${V21}/package.json`).version;

/** Every `@cdktf/provider-aws/lib/...` module the library and the examples import. */
function providerModulesUsed(): string[] {
  const found = new Set<string>();
  const scan = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) scan(path);
      else if (entry.name.endsWith(".ts")) {
        for (const m of readFileSync(path, "utf8").matchAll(
          /"(@cdktf\/provider-aws\/lib\/[^"]+)"/g,
        )) {
          found.add(m[1]);
        }
      }
    }
  };
  scan(join(ROOT, "lib"));
  scan(join(ROOT, "examples"));
  return [...found].sort();
}

// Each binding the code imports resolves to its 21.x counterpart in this file's module registry.
const used = providerModulesUsed();
for (const id of used) {
  jest.doMock(id, () => jest.requireActual(id.replace("@cdktf/provider-aws", V21)));
}

type Build = (app: import("cdktf").App) => TerraformStack;
const examples: Array<[string, Build]> = [
  ["basic", (app) => new (require("../../examples/basic/main").BasicStack)(app, "basic")],
  [
    "existing-secret",
    (app) => new (require("../../examples/existing-secret/main").ExistingSecretStack)(app, "es"),
  ],
  ["hardened", (app) => new (require("../../examples/hardened/main").HardenedStack)(app, "hard")],
  [
    "operations",
    (app) => new (require("../../examples/operations/main").OperationsStack)(app, "op"),
  ],
];

/** An example's synthesized JSON, made once whichever test asks first (tests may run in any order). */
const synthesized = new Map<string, string>();
function synthesize(name: string, build: Build): string {
  let text = synthesized.get(name);
  if (text === undefined) {
    const { Testing } = require("cdktf") as typeof import("cdktf");
    text = Testing.synth(build(Testing.app()));
    synthesized.set(name, text);
  }
  return text;
}

test("the bindings in use are 21.x, and every module the code imports exists there", () => {
  expect(V21_VERSION).toMatch(/^21\./);
  expect(used.length).toBeGreaterThan(10);
  expect(require("@cdktf/provider-aws/package.json").version).toMatch(/^20\./);
  for (const id of used)
    expect(() => require.resolve(id.replace("@cdktf/provider-aws", V21))).not.toThrow();
});

describe.each(examples)("example %s with @cdktf/provider-aws 21.x", (name, build) => {
  test("synthesizes for hashicorp/aws 6.x, reading the region from `region`, never the deprecated `name` of aws_region", () => {
    const text = synthesize(name, build);
    const json = JSON.parse(text);
    expect(json.terraform.required_providers.aws.version).toMatch(/^6\./);
    expect(json.resource.aws_secretsmanager_secret_rotation).toBeDefined();
    expect(json.resource.aws_lambda_function).toBeDefined();
    expect(text).not.toMatch(/data\.aws_region\.[^.}]+\.name\b/);
  });
});

test("an example whose policy names the region (kms:ViaService) reads it from `region`", () => {
  const texts = examples.map(([name, build]) => synthesize(name, build));
  const withRegion = texts.filter((t) => t.includes("data.aws_region."));
  expect(withRegion.length).toBeGreaterThan(0);
  for (const text of withRegion) expect(text).toMatch(/data\.aws_region\.[^.}]+\.region\}/);
});

test("the library and every example type-check against the 21.x bindings", () => {
  const files = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(ROOT, "examples", d.name, "main.ts"))
    .filter((f) => {
      try {
        return readFileSync(f).length > 0;
      } catch {
        return false;
      }
    });
  expect(files.length).toBeGreaterThanOrEqual(4);
  const program = ts.createProgram([...files, join(ROOT, "lib", "index.ts")], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    baseUrl: ROOT,
    paths: {
      "@cdktf/provider-aws/*": [`node_modules/${V21}/*`],
      "cdktf-togai": ["lib/index.ts"],
    },
  });
  const fromV21 = program
    .getSourceFiles()
    .filter((f) => f.fileName.includes(`/node_modules/${V21}/`));
  const fromV20 = program
    .getSourceFiles()
    .filter((f) => f.fileName.includes("/node_modules/@cdktf/provider-aws/"));
  expect(fromV21.length).toBeGreaterThan(10);
  expect(fromV20).toEqual([]);
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
  expect(diagnostics).toEqual([]);
}, 120_000);
