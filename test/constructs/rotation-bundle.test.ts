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

  test("bundles neither the AWS SDK nor the undici package (Node's fetch and a SigV4 signer suffice)", async () => {
    const code =
      (await readZipEntries(readFileSync(rotationBundle().zipPath)))
        .get("index.js")
        ?.toString("utf8") ?? "";
    expect(code).not.toMatch(/@aws-sdk|@smithy|SecretsManagerClient/);
    expect(code).not.toContain("undici");
    expect(readFileSync(rotationBundle().zipPath).length).toBeLessThan(150 * 1024);
  });
});
