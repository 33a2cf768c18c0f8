/**
 * Fills npm's cache with every package (metadata and tarball) the pack-and-install test needs,
 * by installing the same set once into a scratch folder. CI runs this before it cuts the network
 * off; the test then installs with --prefer-offline from the cache alone.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  INSTALL_FLAGS,
  TEMPLATE_DEPENDENCIES,
  TEMPLATE_DEV_DEPENDENCIES,
  USER_DEPENDENCIES,
} from "./install-specs";

const root = join(__dirname, "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// The packed library's own dependencies, as pinned in its package.json.
const libraryDependencies = Object.entries(manifest.dependencies as Record<string, string>).map(
  ([name, version]) => `${name}@${version}`,
);
const dir = mkdtempSync(join(tmpdir(), "togai-warm-"));
try {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "warm", private: true }));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const install = (specs: string[], dev: boolean) =>
    execFileSync(npm, ["install", ...(dev ? ["-D"] : []), ...INSTALL_FLAGS, ...specs], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    });
  install([...libraryDependencies, ...TEMPLATE_DEPENDENCIES, ...USER_DEPENDENCIES], false);
  install(TEMPLATE_DEV_DEPENDENCIES, true);
  process.stderr.write(`npm cache holds what the pack-and-install test installs\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
