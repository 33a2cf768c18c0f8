/**
 * The package as a user gets it. A copy of the working tree (a fresh clone, with the installed
 * node_modules linked in) is packed with `npm pack --json`, which builds first (`prepack`);
 * the tarball is installed into a project made like `cdktf init --template=typescript` (the
 * newest constructs 10.x, no --legacy-peer-deps), which type-checks, synthesizes with the cdktf
 * CLI and passes `terraform validate`; and into an empty project that only uses the runtime.
 *
 * Installs use --prefer-offline: CI fills npm's cache first (test/package/warm-npm-cache.ts),
 * then runs this without network.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { initAndValidate, terraformEnv } from "../support/terraform";
import {
  INSTALL_FLAGS,
  TEMPLATE_DEPENDENCIES,
  TEMPLATE_DEV_DEPENDENCIES,
  USER_DEPENDENCIES,
} from "./install-specs";
import {
  folderBytes,
  megabytes,
  PROJECT_DIR,
  readmeTypeScriptSnippets,
  run,
} from "./project-tools";

const TEMPLATE_DIR = join(
  PROJECT_DIR,
  "node_modules",
  "cdktf-cli",
  "bundle",
  "templates",
  "typescript",
);
const CDKTF_CLI = join(PROJECT_DIR, "node_modules", ".bin", "cdktf");
const npm = (args: string[], cwd: string) => run("npm", args, cwd);

interface PackResult {
  readonly filename: string;
  readonly files: { path: string }[];
}

let work: string;
let clone: string;
let tarball: string;
let packed: PackResult;

/** The working tree's files as a fresh clone has them (tracked and new, minus ignored). */
function cloneWorkingTree(): string {
  const dir = join(work, "clone");
  const files = run("git", ["ls-files", "-co", "--exclude-standard", "-z"], PROJECT_DIR)
    .split("\0")
    .filter((f) => f && existsSync(join(PROJECT_DIR, f)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(PROJECT_DIR, file), join(dir, file));
  }
  symlinkSync(join(PROJECT_DIR, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** A project as `cdktf init --template=typescript` writes it (package.json, tsconfig, cdktf.json). */
function templateProject(): string {
  const dir = join(work, "billing");
  mkdirSync(dir);
  const fill = (text: string) =>
    text
      .replaceAll("{{ $base }}", "billing")
      .replaceAll("{{projectId}}", "billing-project")
      .replaceAll("{{sendCrashReports}}", "false")
      .replaceAll("{{futureFlags}}", "");
  for (const file of ["package.json", "tsconfig.json", "cdktf.json"]) {
    writeFileSync(join(dir, file), fill(readFileSync(join(TEMPLATE_DIR, file), "utf8")));
  }
  return dir;
}

function installedVersion(project: string, name: string): string {
  return JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8"))
    .version;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "togai-pack-"));
  clone = cloneWorkingTree();
  const stdout = npm(["pack", "--json", "--pack-destination", work], clone);
  [packed] = JSON.parse(stdout) as PackResult[];
  tarball = join(work, packed.filename);
}, 120_000);

// fs.rm removes the clone's node_modules link, never what it points to.
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm pack", () => {
  test("prints JSON only (the build's chatter goes to stderr)", () => {
    expect(packed.filename).toBe(`cdktf-togai-${require("../../package.json").version}.tgz`);
    expect(existsSync(tarball)).toBe(true);
  });

  test("ships LICENSE, README, the built entry points and the rotation code once, as the zip", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "package.json",
        "assets/rotation-function.zip",
        "dist/lib/index.d.ts",
        "dist/lib/runtime/index.d.ts",
        "dist/lib/cli/main.js",
      ]),
    );
    expect(paths.filter((p) => p.startsWith("assets/"))).toEqual(["assets/rotation-function.zip"]);
    expect(paths.filter((p) => p.includes("function/"))).toEqual([]);
    expect(readFileSync(join(clone, "LICENSE"), "utf8")).toContain("Apache License");
  });
});

describe("a fresh clone", () => {
  test("with nothing built, `cdktf synth` works (its app builds first)", () => {
    // No install script: npm lists a dependency's `prepare` among scripts to approve.
    expect(require("../../package.json").scripts.prepare).toBeUndefined();
    rmSync(join(clone, "dist"), { recursive: true, force: true });
    rmSync(join(clone, "assets"), { recursive: true, force: true });
    run(CDKTF_CLI, ["synth"], clone, terraformEnv());
    expect(existsSync(join(clone, "cdktf.out", "manifest.json"))).toBe(true);
  }, 180_000);
});

describe("a project made like `cdktf init --template=typescript`", () => {
  let project: string;

  beforeAll(() => {
    project = templateProject();
    // As the template's post-init hook installs, then as the user adds this library.
    npm(["install", ...INSTALL_FLAGS, ...TEMPLATE_DEPENDENCIES], project);
    npm(["install", "-D", ...INSTALL_FLAGS, ...TEMPLATE_DEV_DEPENDENCIES], project);
    npm(["install", ...INSTALL_FLAGS, tarball, ...USER_DEPENDENCIES], project);
    writeFileSync(join(project, "main.ts"), readmeTypeScriptSnippets()[0]);
  }, 300_000);

  test("installs with the newest constructs 10.x, without --legacy-peer-deps", () => {
    const newest = JSON.parse(
      npm(["view", "constructs@10", "version", "--json", "--prefer-offline"], project),
    );
    const newestVersion = Array.isArray(newest) ? newest[newest.length - 1] : newest;
    expect(installedVersion(project, "constructs")).toBe(newestVersion);
    expect(installedVersion(project, "cdktf-togai")).toBe(require("../../package.json").version);
    // `npm ls` fails on any invalid or missing peer.
    npm(["ls", "--all", "--omit=dev"], project);
  });

  test("the README's first snippet as main.ts type-checks, synthesizes, and passes terraform validate", async () => {
    run(join(project, "node_modules", ".bin", "tsc"), ["--noEmit"], project);
    run(CDKTF_CLI, ["synth"], project, terraformEnv());
    const stackDir = join(project, "cdktf.out", "stacks", "billing");
    const json = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
    expect(json).toContain("aws_secretsmanager_secret_rotation");
    expect((await initAndValidate(stackDir)).stdout).toContain("The configuration is valid");
  }, 300_000);
});

describe("a service that only uses cdktf-togai/runtime", () => {
  let service: string;

  beforeAll(() => {
    service = join(work, "service");
    mkdirSync(service);
    writeFileSync(
      join(service, "package.json"),
      JSON.stringify({ name: "service", private: true }),
    );
    npm(["install", ...INSTALL_FLAGS, tarball], service);
  }, 300_000);

  test("installs no cdktf, constructs or provider bindings", () => {
    for (const peer of ["cdktf", "constructs", "@cdktf/provider-aws", "cdktf-cli"]) {
      expect(existsSync(join(service, "node_modules", peer))).toBe(false);
    }
    process.stderr.write(
      `runtime-only install of the tarball: node_modules ${megabytes(folderBytes(join(service, "node_modules")))}\n`,
    );
  });

  test("loads the runtime from CommonJS and from ESM, and reads the package's own package.json", () => {
    const cjs = run(
      process.execPath,
      [
        "-e",
        'const r = require("cdktf-togai/runtime"); console.log(typeof r.TogaiClient, require("cdktf-togai/package.json").name)',
      ],
      service,
    );
    expect(cjs.trim()).toBe("function cdktf-togai");
    const esm = run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'import { TogaiTokenProvider } from "cdktf-togai/runtime"; console.log(typeof TogaiTokenProvider)',
      ],
      service,
    );
    expect(esm.trim()).toBe("function");
  });

  test("bundles the README's consumer Lambda with esbuild, whole or with the Lambda runtime's AWS SDK external", async () => {
    const handler = readmeTypeScriptSnippets().find((s) => s.includes("cdktf-togai/runtime"));
    writeFileSync(join(service, "handler.ts"), handler ?? "");
    const sizes: string[] = [];
    for (const [variant, external] of [
      ["everything bundled", []],
      ["@aws-sdk/* external", ["@aws-sdk/*"]],
    ] as const) {
      const outfile = join(service, "out", `${external.length}.js`);
      await build({
        absWorkingDir: service,
        entryPoints: ["handler.ts"],
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        external: [...external],
        outfile,
        logLevel: "error",
      });
      const code = readFileSync(outfile, "utf8");
      expect(code).not.toMatch(/require\("(cdktf|constructs)"\)/);
      // The bundle loads and exports the handler (nothing is called: no network).
      const loaded = run(
        process.execPath,
        ["-e", `console.log(typeof require(${JSON.stringify(outfile)}).handler)`],
        service,
        { TOGAI_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf" },
      );
      expect(loaded.trim()).toBe("function");
      sizes.push(`${variant} ${megabytes(code.length)}`);
    }
    process.stderr.write(`consumer Lambda bundle (minified): ${sizes.join(", ")}\n`);
  }, 120_000);
});
