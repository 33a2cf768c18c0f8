import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotationBundle } from "../../lib/constructs/rotation-asset";
import { PROJECT_ROOT } from "../support/rotation-driver";
import { readZipEntries } from "../support/zip";

describe("the rotation bundle", () => {
  test("is deterministic: a second build gives the same zip bytes, hence the same source_code_hash", () => {
    const out = mkdtempSync(join(tmpdir(), "togai-bundle-"));
    execFileSync(
      process.execPath,
      [
        join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
        "scripts/build-rotation-bundle.ts",
        "--out-dir",
        out,
      ],
      {
        cwd: PROJECT_ROOT,
        stdio: "pipe",
      },
    );
    const again = readFileSync(join(out, "rotation-function.zip"));
    expect(again.equals(readFileSync(rotationBundle().zipPath))).toBe(true);
  }, 60_000);

  test("holds exactly index.js, exporting the rotation handler", async () => {
    const entries = await readZipEntries(readFileSync(rotationBundle().zipPath));
    expect([...entries.keys()]).toEqual(["index.js"]);
    const code = entries.get("index.js")?.toString("utf8") ?? "";
    expect(code).toContain("TogaiTokenRotator");
    expect(code).not.toContain(PROJECT_ROOT);
  });

  test("bundles the pinned AWS SDK client, minified, in at most 200 KB, and not undici", async () => {
    const zip = readFileSync(rotationBundle().zipPath);
    const code = (await readZipEntries(zip)).get("index.js")?.toString("utf8") ?? "";
    const pinned = JSON.parse(
      readFileSync(
        join(PROJECT_ROOT, "node_modules", "@aws-sdk", "client-secrets-manager", "package.json"),
        "utf8",
      ),
    ).version;
    expect(code).toContain("SecretsManagerClient");
    // The SDK's user agent carries its version: the function runs the client the tests ran.
    expect(code).toContain(pinned);
    expect(code).not.toContain("undici");
    // Minified: a few long lines (multi-line template strings aside), not formatted source.
    expect(code.split("\n").length).toBeLessThan(code.length / 2_000);
    expect(zip.length).toBeLessThanOrEqual(200 * 1024);
  });
});
