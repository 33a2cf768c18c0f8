/**
 * Invariant: a consumer's `import ... from "cdktf-togai"`, `"cdktf-togai/runtime"` and
 * `"cdktf-togai/contract"` type-check under every moduleResolution a user may have: node10 (the
 * cdktf TypeScript template: CommonJS, no moduleResolution), node16 and nodenext (from CommonJS
 * and from ESM files), and bundler. The package is resolved as a user's node_modules holds it,
 * through its package.json (exports, types, typesVersions) onto the built dist/.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { PROJECT_DIR, typeCheckConsumer } from "./project-tools";

const CONSUMER = `
import { TogaiApiKeySecret, TogaiTokenRotation, type TogaiTokenRotationProps, RotationAlerts } from "cdktf-togai";
import { TogaiClient, TogaiTokenProvider, TogaiRuntimeError } from "cdktf-togai/runtime";
import { TOKEN_SECRET_ARN_ENV, type TokenSecretValue } from "cdktf-togai/contract";

export const props: TogaiTokenRotationProps = { apiKeySecretArn: "arn", rotationIntervalHours: 6 };
export const classes = [TogaiApiKeySecret, TogaiTokenRotation, RotationAlerts];
export function client(): TogaiClient {
  return new TogaiClient({ tokens: TogaiTokenProvider.fromEnvironment() });
}
export const envName: string = TOKEN_SECRET_ARN_ENV;
export const isRuntimeError = (e: unknown): boolean => e instanceof TogaiRuntimeError;
export type Stored = TokenSecretValue["token"];
`;

interface Setup {
  readonly label: string;
  readonly file: string;
  readonly packageType: "commonjs" | "module";
  readonly options: ts.CompilerOptions;
}

const SETUPS: Setup[] = [
  {
    label: "node10 (cdktf template: CommonJS, no moduleResolution)",
    file: "main.ts",
    packageType: "commonjs",
    options: { module: ts.ModuleKind.CommonJS },
  },
  {
    label: "node16, CommonJS consumer",
    file: "main.ts",
    packageType: "commonjs",
    options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  },
  {
    label: "node16, ESM consumer",
    file: "main.mts",
    packageType: "module",
    options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  },
  {
    label: "nodenext, ESM consumer",
    file: "main.ts",
    packageType: "module",
    options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  },
  {
    label: "bundler",
    file: "main.ts",
    packageType: "module",
    options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  },
];

const UNEXPORTED_SUBPATH =
  'import { x } from "cdktf-togai/runtime/token-provider";\nexport { x };\n';

describe("types resolve for consumers", () => {
  beforeAll(() => {
    if (!existsSync(join(PROJECT_DIR, "dist", "lib", "runtime", "index.d.ts"))) {
      throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    }
  });

  // One program per setup: the consumer must compile, and a deep import the package does not
  // export must not (proof that resolution goes through the package's exports and can fail).
  test.each(SETUPS.map((s) => [s.label, s] as const))("under %s", (_label, setup) => {
    const extension = setup.file.endsWith(".mts") ? ".mts" : ".ts";
    const diagnostics = typeCheckConsumer(
      { [setup.file]: CONSUMER, [`deep${extension}`]: UNEXPORTED_SUBPATH },
      setup.options,
      setup.packageType,
    );
    expect(diagnostics.filter((d) => d.startsWith(`${setup.file}:`))).toEqual([]);
    expect(diagnostics.filter((d) => d.startsWith("deep")).join("\n")).toMatch(
      /TS2307|TS2305|TS2724/,
    );
  });
});
