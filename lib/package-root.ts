/**
 * Where this package is installed: the nearest folder above this file whose package.json is
 * cdktf-togai's (or cdktn-togai's, the same build for CDK Terrain), from the sources (lib/) or the
 * build (dist/lib/) alike. The constructs find the rotation zip there, the operator command its
 * version.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "cdktf-togai";
/** The names this build ships under: for cdktf, and for CDK Terrain (scripts/build-cdktn-package.ts). */
const PACKAGE_NAMES = new Set([PACKAGE_NAME, "cdktn-togai"]);

/** The package's root folder and its package.json. */
export interface PackageRoot {
  readonly dir: string;
  readonly version: string;
}

let found: PackageRoot | undefined;

/** The package root; throws when no package.json above this file is cdktf-togai's or cdktn-togai's. */
export function packageRoot(): PackageRoot {
  if (found) return found;
  let dir = __dirname;
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      if (PACKAGE_NAMES.has(manifest.name)) {
        found = { dir, version: String(manifest.version) };
        return found;
      }
    } catch {
      // no readable package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`${PACKAGE_NAME}: cannot find the package's own package.json`);
    }
    dir = parent;
  }
}
