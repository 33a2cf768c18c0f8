/**
 * Bundles the rotation function (lib/function/rotation-handler.ts) with esbuild into
 * assets/rotation-function/index.js and zips it into assets/rotation-function.zip.
 *
 * The zip is deterministic: one entry, fixed timestamp and mode, so the same source and lockfile
 * give the same bytes, and the same Lambda `source_code_hash`, on every machine.
 */
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ZipFile } from "yazl";

const root = join(__dirname, "..");
// `--out-dir DIR` builds elsewhere (the determinism test compares two builds).
const outFlag = process.argv.indexOf("--out-dir");
const assetsDir = outFlag > 0 ? process.argv[outFlag + 1] : join(root, "assets");
const outDir = join(assetsDir, "rotation-function");
const bundlePath = join(outDir, "index.js");
const zipPath = join(assetsDir, "rotation-function.zip");
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ["lib/function/rotation-handler.ts"],
    outfile: bundlePath,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // The AWS SDK's ES module builds let esbuild drop what the function never calls (a third
    // of the SDK's size); the function bundles the pinned SDK, so it runs the code the tests ran.
    mainFields: ["module", "main"],
    // Their lazy `import("node:http")` becomes a require, as in the SDK's CommonJS build: the
    // same code then loads in Lambda and in the tests' module loader.
    supported: { "dynamic-import": false },
    minify: true,
    // Error classes are told apart by name (TogaiServerError...), in logs and by callers.
    keepNames: true,
    legalComments: "none",
    // The SDK's optional CRT signer is never used by Secrets Manager calls.
    external: ["@aws-sdk/signature-v4-crt"],
    logLevel: "warning",
  });
  const code = readFileSync(bundlePath);
  if (code.includes(root)) {
    throw new Error(
      "the bundle contains this machine's project path: it would not be deterministic",
    );
  }
  const zip = new ZipFile();
  zip.addBuffer(code, "index.js", { mtime: FIXED_MTIME, mode: 0o100644, compress: true });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(zipPath)).on("close", resolve).on("error", reject);
  });
  const zipBytes = readFileSync(zipPath);
  const hash = createHash("sha256").update(zipBytes).digest("base64");
  process.stderr.write(
    `rotation bundle: ${code.length} bytes, zip ${zipBytes.length} bytes, sha256 ${hash}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`building the rotation bundle failed: ${(error as Error).message}\n`);
  process.exit(1);
});
