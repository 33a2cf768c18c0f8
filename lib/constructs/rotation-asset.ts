import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../package-root";

/** Where the rotation function's zip lives inside this package. */
export const ROTATION_ZIP_RELATIVE_PATH = join("assets", "rotation-function.zip");

/** The rotation function bundle: absolute path (for TerraformAsset) and Lambda source_code_hash. */
export interface RotationBundle {
  readonly zipPath: string;
  readonly sourceCodeHash: string;
}

let cached: RotationBundle | undefined;

/**
 * Locates the prebuilt, deterministic rotation zip (built by `npm run build`, shipped in the
 * package). Its hash is computed here, from the bytes, so it is the same on every machine.
 */
export function rotationBundle(): RotationBundle {
  if (cached) return cached;
  const zipPath = join(packageRoot().dir, ROTATION_ZIP_RELATIVE_PATH);
  if (!existsSync(zipPath)) {
    throw new Error(
      `cdktf-togai: the rotation function bundle ${ROTATION_ZIP_RELATIVE_PATH} is missing from the package; run \`npm run build\` in cdktf-togai (or reinstall the package)`,
    );
  }
  const sourceCodeHash = createHash("sha256").update(readFileSync(zipPath)).digest("base64");
  cached = { zipPath, sourceCodeHash };
  return cached;
}
