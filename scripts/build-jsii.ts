/**
 * Builds the jsii assembly of the construct API, the bindings for Python, Java, .NET and Go
 * (source code; building them needs each language's registry), and API.md.
 *
 * The assembly is compiled from exactly the construct part of the package (lib/index.ts,
 * lib/contract.ts, lib/constructs/) plus the rotation zip, staged in build/jsii/ with a manifest
 * whose only dependencies are the jsii libraries cdktf, constructs and @cdktf/provider-aws. The
 * consumer runtime and the CLI (AWS SDK, undici) are TypeScript-only and never weigh on it.
 *
 *   tsx scripts/build-jsii.ts          build, then write API.md at the project root
 *   tsx scripts/build-jsii.ts --check  build, then fail when API.md is out of date
 */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..");
const stage = join(root, "build", "jsii");
const bin = (tool: string) => join(root, "node_modules", ".bin", tool);
const check = process.argv.includes("--check");

/** The targets every cdktf language gets; names follow cdktf's own prebuilt providers. */
const TARGETS = {
  python: { distName: "cdktf-togai", module: "cdktf_togai" },
  java: {
    package: "io.github.cdktftogai",
    maven: { groupId: "io.github.cdktf-togai", artifactId: "cdktf-togai" },
  },
  dotnet: { namespace: "CdktfTogai", packageId: "CdktfTogai" },
  go: { moduleName: "github.com/cdktf-togai/cdktf-togai-go" },
};

function stageSources(): void {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, "lib"), { recursive: true });
  // jsii-docgen looks for the dependencies' assemblies in the package's own node_modules.
  symlinkSync(join(root, "node_modules"), join(stage, "node_modules"), "dir");
  // The constructs and the few dependency-free modules they share with the runtime and the CLI.
  for (const part of [
    "index.ts",
    "contract.ts",
    "constructs",
    "package-root.ts",
    "togai/base-url.ts",
    "aws/secret-arn.ts",
  ]) {
    cpSync(join(root, "lib", part), join(stage, "lib", part), { recursive: true });
  }
  // The other languages' packages get a README of their own: the npm README speaks TypeScript.
  cpSync(join(root, "jsii", "README.md"), join(stage, "README.md"));
  cpSync(join(root, "LICENSE"), join(stage, "LICENSE"));
  const zip = join(root, "assets", "rotation-function.zip");
  if (!existsSync(zip))
    throw new Error("assets/rotation-function.zip is missing: run `npm run build` first");
  cpSync(zip, join(stage, "assets", "rotation-function.zip"));
  const peers: Record<string, string> = manifest.peerDependencies;
  const devDependencies = Object.fromEntries(
    Object.keys(peers).map((name) => [name, manifest.devDependencies[name]]),
  );
  const staged = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    author: manifest.author,
    repository: manifest.repository,
    keywords: manifest.keywords,
    main: "lib/index.js",
    types: "lib/index.d.ts",
    // What every language's package carries: the assembly, compiled code, the rotation zip.
    files: [".jsii", "lib/**/*.js", "lib/**/*.d.ts", "assets/rotation-function.zip"],
    peerDependencies: peers,
    devDependencies,
    jsii: { outdir: "dist", targets: TARGETS },
  };
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(staged, null, 2)}\n`);
}

function run(tool: string, args: string[]): void {
  // jsii's tools print a banner about Node versions to stderr; their output stays on stderr so
  // that the build's stdout is only our summary.
  execFileSync(bin(tool), args, { cwd: stage, stdio: ["ignore", process.stderr, process.stderr] });
}

function main(): void {
  stageSources();
  run("jsii", ["--fail-on-warnings"]);
  run("jsii-pacmak", ["--code-only", "--outdir", "dist", "--no-fingerprint", "--force"]);
  run("jsii-docgen", ["--output", "API.md"]);
  const generated = readFileSync(join(stage, "API.md"), "utf8");
  const committedPath = join(root, "API.md");
  const committed = existsSync(committedPath) ? readFileSync(committedPath, "utf8") : "";
  if (check && generated !== committed) {
    process.stderr.write(
      "API.md is out of date with the construct API: run `npm run jsii` and commit API.md\n",
    );
    process.exit(1);
  }
  if (!check) writeFileSync(committedPath, generated);
  process.stdout.write(
    `jsii assembly and bindings in ${join("build", "jsii")}; API.md ${check ? "is current" : "written"}\n`,
  );
}

main();
