/**
 * Fills npm's cache with every package (metadata and tarball) the pack-and-install test needs, by
 * making the same project once in a scratch folder: `cdktf init` (its hook installs the newest
 * template dependencies), then the README's install commands with the library's own pinned
 * dependencies standing in for its tarball, then the 5.x bindings. CI runs this before it cuts
 * the network off; the test then installs with --prefer-offline from the cache alone.
 * The same for the cdktn test (test/package/cdktn.e2e.test.ts): Node 22 and cdktn-cli, `cdktn init`
 * under Node 22, then the README's CDK Terrain install line.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initCdktnProject, installCdktnTools, readmeCdktnInstallCommands } from "./cdktn-specs";
import {
  CDKTF_INIT_ARGS,
  INSTALL_ENV,
  INSTALL_FLAGS,
  PROVIDER_AWS_5,
  readmeInstallCommands,
} from "./install-specs";

const root = join(__dirname, "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// The packed library's own dependencies, as pinned in its package.json.
const libraryDependencies = Object.entries(manifest.dependencies as Record<string, string>).map(
  ([name, version]) => `${name}@${version}`,
);
const scratch = mkdtempSync(join(tmpdir(), "togai-warm-"));
const project = join(scratch, "billing");
mkdirSync(project);
const exec = (command: string, args: string[]) =>
  execFileSync(command, args, {
    cwd: project,
    env: { ...process.env, ...INSTALL_ENV },
    stdio: ["ignore", "ignore", "inherit"],
  });
try {
  exec(join(root, "node_modules", ".bin", "cdktf"), CDKTF_INIT_ARGS);
  for (const [command, ...args] of readmeInstallCommands()) {
    const specs = args.flatMap((a) => (a === "cdktf-togai" ? libraryDependencies : [a]));
    exec(command, [...specs, ...INSTALL_FLAGS]);
  }
  exec("npm", ["install", ...INSTALL_FLAGS, PROVIDER_AWS_5]);

  const tools = installCdktnTools(join(scratch, "tools"));
  const cdktnProject = join(scratch, "cdktn-billing");
  initCdktnProject(tools, cdktnProject);
  for (const [command, ...args] of readmeCdktnInstallCommands()) {
    const specs = args.flatMap((a) => (a === "cdktn-togai" ? libraryDependencies : [a]));
    execFileSync(command, [...specs, ...INSTALL_FLAGS], {
      cwd: cdktnProject,
      env: { ...process.env, ...INSTALL_ENV, ...tools.env },
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  process.stderr.write("npm cache holds what the pack-and-install and cdktn tests install\n");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
