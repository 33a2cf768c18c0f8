/**
 * Builds `cdktn-togai`, the same library for CDK Terrain (`cdktn`, the community fork of CDK for
 * Terraform), into build/cdktn-package/ and packs it there (`--no-pack` leaves the folder only).
 *
 * Why a second package and not an entry point of cdktf-togai: the constructs extend cdktf's and
 * the bindings' classes, so the module they import is fixed when the file is written; an entry
 * point could only do it with two copies of the code inside one package, whose peer dependencies
 * would then name cdktf and cdktn both, and npm checks (and, for non-optional peers, installs)
 * every one of them. A package of its own asks for exactly what a `cdktn init` project has.
 *
 * It is the build of cdktf-togai (dist/lib, without the rotation function's sources, which ship
 * as the zip) with every module specifier of cdktf moved to cdktn's: `cdktf` to `cdktn`,
 * `@cdktf/provider-aws/lib/...` to `@cdktn/provider-aws/lib/...` (the same module paths and
 * class names, for hashicorp/aws 6.x). Nothing else changes: the zip is byte for byte the same.
 * Run `npm run build` first (`npm run build:cdktn-package` does both).
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..");

/** The package's name on npm. */
export const CDKTN_PACKAGE_NAME = "cdktn-togai";

/** Peer dependencies: what `cdktn init --template=typescript` and `@cdktn/provider-aws` install. */
export const CDKTN_PEERS: Record<string, string> = {
  "@cdktn/provider-aws": "^25.0.0",
  cdktn: "^0.24.0",
  constructs: "^10.6.0",
};

/** The specifiers the rewrite moves, and where (a specifier is a whole quoted string). */
const SPECIFIER_MOVES: ReadonlyArray<readonly [RegExp, string]> = [
  [/(["'])cdktf\1/g, "$1cdktn$1"],
  [/(["'])@cdktf\/provider-aws(\/[^"'\s]*)?\1/g, "$1@cdktn/provider-aws$2$1"],
  [/(["'])cdktf-togai(\/[^"'\s]*)?\1/g, "$1cdktn-togai$2$1"],
];

/** A specifier of cdktf's world that the rewrite should have moved. */
const LEFT_OVER = /(["'])(cdktf|@cdktf\/[^"'\s]*|cdktf-togai(\/[^"'\s]*)?)\1/;

/**
 * Source (JS, .d.ts or a user's TypeScript) with cdktf's module specifiers moved to cdktn's:
 * `"cdktf"`, `"@cdktf/provider-aws/..."` and `"cdktf-togai..."`. Prose is left as it is.
 */
export function toCdktnSpecifiers(source: string): string {
  return SPECIFIER_MOVES.reduce((text, [from, to]) => text.replace(from, to), source);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** The cdktn package's manifest, from cdktf-togai's: the same entry points, cdktn's peers. */
function cdktnManifest(manifest: Record<string, unknown>): Record<string, unknown> {
  return {
    name: CDKTN_PACKAGE_NAME,
    version: manifest.version,
    description:
      "CDK Terrain (cdktn) constructs that keep a Togai secret key in AWS Secrets Manager, rotate short-lived Togai tokens, and a runtime client that ingests usage events with them. The build of cdktf-togai for cdktn.",
    keywords: ["cdktn", "cdk terrain", ...(manifest.keywords as string[])],
    license: manifest.license,
    author: manifest.author,
    repository: manifest.repository,
    main: manifest.main,
    types: manifest.types,
    exports: manifest.exports,
    typesVersions: manifest.typesVersions,
    // The operator command keeps its name: every message of the library names it.
    bin: manifest.bin,
    files: ["dist/lib", "assets/rotation-function.zip"],
    // cdktn-cli, which synthesizes a cdktn app, needs Node 22.19 or later.
    engines: { node: ">=22.19" },
    peerDependencies: CDKTN_PEERS,
    // Optional, as in cdktf-togai: a service that only uses the runtime installs none of them.
    peerDependenciesMeta: Object.fromEntries(
      Object.keys(CDKTN_PEERS).map((name) => [name, { optional: true }]),
    ),
    dependencies: manifest.dependencies,
  };
}

/** The package's README: the main README's CDK Terrain section and its stack in cdktn imports. */
function cdktnReadme(readme: string, version: string): string {
  const section = /\n## CDK Terrain\n([\s\S]*?)\n## /.exec(readme);
  const stack = /\n## Use it\n[\s\S]*?^```ts\n([\s\S]*?)^```$/m.exec(readme);
  if (!section || !stack) {
    throw new Error(
      'README.md needs a "## CDK Terrain" section and a ```ts block in "## Use it" for the cdktn package README',
    );
  }
  const docs = `https://github.com/cdktf-togai/cdktf-togai/blob/v${version}/README.md`;
  return `# ${CDKTN_PACKAGE_NAME}\n${section[1].trimEnd()}\n\nA complete \`main.ts\`:\n\n\`\`\`ts\n${toCdktnSpecifiers(stack[1])}\`\`\`\n\nEverything else (props, consumers, the runtime, operating it) is in cdktf-togai's\n[README](${docs}): read its \`cdktf\` and \`@cdktf/provider-aws\` imports as \`cdktn\` and\n\`@cdktn/provider-aws\`, and \`cdktf-togai\` as \`${CDKTN_PACKAGE_NAME}\`.\n`;
}

/** Writes the package into `outDir` (emptied first) from the current build; returns `outDir`. */
export function buildCdktnPackage(outDir = join(ROOT, "build", "cdktn-package")): string {
  const dist = join(ROOT, "dist", "lib");
  const zip = join(ROOT, "assets", "rotation-function.zip");
  for (const built of [join(dist, "index.js"), zip]) {
    if (!existsSync(built)) {
      throw new Error(`${relative(ROOT, built)} is missing: run \`npm run build\` first`);
    }
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "assets"), { recursive: true });
  // The rotation function's own modules run only inside the zip.
  cpSync(dist, join(outDir, "dist", "lib"), {
    recursive: true,
    filter: (path) => relative(dist, path).split(/[\\/]/)[0] !== "function",
  });
  copyFileSync(zip, join(outDir, "assets", "rotation-function.zip"));
  copyFileSync(join(ROOT, "LICENSE"), join(outDir, "LICENSE"));

  for (const file of filesUnder(join(outDir, "dist"))) {
    if (!/\.(js|d\.ts)$/.test(file)) continue;
    const moved = toCdktnSpecifiers(readFileSync(file, "utf8"));
    const left = LEFT_OVER.exec(moved);
    if (left) throw new Error(`${relative(outDir, file)} still names ${left[0]} after the rewrite`);
    writeFileSync(file, moved);
  }

  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  writeFileSync(
    join(outDir, "package.json"),
    `${JSON.stringify(cdktnManifest(manifest), null, 2)}\n`,
  );
  writeFileSync(
    join(outDir, "README.md"),
    cdktnReadme(readFileSync(join(ROOT, "README.md"), "utf8"), manifest.version),
  );
  return outDir;
}

/** Packs the package folder with `npm pack`; returns the tarball's path. */
export function packCdktnPackage(packageDir: string, destination: string): string {
  const stdout = execFileSync("npm", ["pack", "--json", "--pack-destination", destination], {
    cwd: packageDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  return join(destination, packed.filename);
}

if (require.main === module) {
  const packageDir = buildCdktnPackage();
  if (process.argv.includes("--no-pack")) {
    process.stderr.write(`${relative(ROOT, packageDir)} written\n`);
  } else {
    const tarball = packCdktnPackage(packageDir, join(ROOT, "build"));
    process.stderr.write(`${relative(ROOT, tarball)} packed\n`);
  }
}
