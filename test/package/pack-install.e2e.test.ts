/**
 * The package as a user gets it. A copy of the working tree (a fresh clone, with the installed
 * node_modules linked in) is packed with `npm pack --json`, which builds first (`prepack`);
 * a project is made by `cdktf init --template=typescript --local` as it is today (its hook
 * installs the newest TypeScript, 7.x), the README's Install commands run in it exactly as
 * written (the tarball standing for `cdktf-togai`), and the README's main.ts type-checks and
 * synthesizes with the cdktf CLI; then with the 5.x bindings it also passes `terraform validate`,
 * and the README's path to a first token is followed (readme-first-token.ts).
 * The tarball also goes into an empty project that only uses the runtime.
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
  CDKTF_INIT_ARGS,
  INSTALL_ENV,
  INSTALL_FLAGS,
  PROVIDER_AWS_5,
  readmeInstallCommands,
} from "./install-specs";
import {
  folderBytes,
  megabytes,
  PROJECT_DIR,
  readmeTypeScriptSnippets,
  run,
} from "./project-tools";
import { followReadmeToFirstToken } from "./readme-first-token";
import { deadLinks, readmeLinks } from "./readme-links";

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

describe("the packed README", () => {
  test("has no dead link: files it names are in the package or in the repository, anchors exist", () => {
    run("tar", ["-xzf", tarball, "-C", work, "package/README.md"], work);
    const readme = readFileSync(join(work, "package", "README.md"), "utf8");
    expect(readme).toBe(readFileSync(join(PROJECT_DIR, "README.md"), "utf8"));
    const repository = run("git", ["ls-files", "-co", "--exclude-standard"], PROJECT_DIR)
      .split("\n")
      .filter(Boolean);
    const packagedPaths = packed.files.map((f) => f.path);
    expect(readmeLinks(readme).length).toBeGreaterThan(10);
    expect(deadLinks(readme, packagedPaths, repository)).toEqual([]);
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

describe("a project made by `cdktf init --template=typescript --local` today, then the README", () => {
  let project: string;
  let initialTypeScript: string;
  let stackDir: string;

  beforeAll(() => {
    project = join(work, "billing");
    mkdirSync(project);
    run(CDKTF_CLI, CDKTF_INIT_ARGS, project, { ...terraformEnv(), ...INSTALL_ENV });
    initialTypeScript = installedVersion(project, "typescript");
    for (const [command, ...args] of readmeInstallCommands()) {
      const specs = args.map((a) => (a === "cdktf-togai" ? tarball : a));
      run(command, [...specs, ...INSTALL_FLAGS], project);
    }
    writeFileSync(join(project, "main.ts"), readmeTypeScriptSnippets()[0]);
    stackDir = join(project, "cdktf.out", "stacks", "billing");
  }, 300_000);

  test("the README's install commands are the unpinned library and bindings, after TypeScript 5.9", () => {
    expect(readmeInstallCommands()).toEqual([
      ["npm", "install", "-D", "typescript@~5.9"],
      ["npm", "install", "cdktf-togai", "@cdktf/provider-aws"],
    ]);
  });

  test("cdktf init installed TypeScript 7 (what the README's first command is for); the README leaves 5.9", () => {
    process.stderr.write(`cdktf init installed typescript ${initialTypeScript}\n`);
    expect(Number(initialTypeScript.split(".")[0])).toBeGreaterThanOrEqual(7);
    expect(installedVersion(project, "typescript")).toMatch(/^5\.9\./);
  });

  test("installs the newest constructs 10.x and the newest bindings, without --legacy-peer-deps", () => {
    const newest = (spec: string) => {
      const found = JSON.parse(
        npm(["view", spec, "version", "--json", "--prefer-offline"], project),
      );
      return Array.isArray(found) ? found[found.length - 1] : found;
    };
    expect(installedVersion(project, "constructs")).toBe(newest("constructs@10"));
    expect(installedVersion(project, "@cdktf/provider-aws")).toBe(newest("@cdktf/provider-aws"));
    expect(installedVersion(project, "cdktf-togai")).toBe(require("../../package.json").version);
    // `npm ls` fails on any invalid or missing peer.
    npm(["ls", "--all", "--omit=dev"], project);
  });

  test("the README's main.ts type-checks and synthesizes with the cdktf CLI (ts-node)", () => {
    run(join(project, "node_modules", ".bin", "tsc"), ["--noEmit"], project);
    run(CDKTF_CLI, ["synth"], project, terraformEnv());
    const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
    expect(json.resource.aws_secretsmanager_secret_rotation).toBeDefined();
    // The newest bindings pin hashicorp/aws 6.x, whose binary is not reachable offline: the same
    // app is validated with the 5.x bindings below.
    const major = Number(installedVersion(project, "@cdktf/provider-aws").split(".")[0]);
    expect(json.terraform.required_providers.aws.version).toMatch(major >= 21 ? /^6\./ : /^5\./);
  }, 300_000);

  test("with the 5.x bindings the same app synthesizes and passes terraform validate", async () => {
    npm(["install", ...INSTALL_FLAGS, PROVIDER_AWS_5], project);
    expect(installedVersion(project, "@cdktf/provider-aws")).toMatch(/^20\./);
    npm(["ls", "--all", "--omit=dev"], project);
    run(CDKTF_CLI, ["synth"], project, terraformEnv());
    const json = readFileSync(join(stackDir, "cdk.tf.json"), "utf8");
    expect(JSON.parse(json).terraform.required_providers.aws.version).toMatch(/^5\./);
    expect((await initAndValidate(stackDir)).stdout).toContain("The configuration is valid");
  }, 300_000);

  test("the README's path to a first token: deploy, the outputs, put-api-key, status", async () => {
    const key = "togai-readme-key-5b1d9f3a7c2e4086";
    const run = await followReadmeToFirstToken(project, stackDir, key);
    expect(run.putApiKeyExit).toBe(0);
    expect(run.rotationError).toBeUndefined();
    expect(run.current.token).toBe(run.issuedTokens.at(-1));
    expect(run.statusExit).toBe(0);
    expect(run.leaked).toEqual([]);
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
