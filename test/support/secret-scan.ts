/**
 * Runs secretlint (its recommended rules: cloud keys, private keys, tokens, basic auth...) over
 * texts gathered by a test, in a child process (secretlint is an ES module). Returns its findings.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "./rotation-driver";

export interface Finding {
  readonly file: string;
  readonly ruleId: string;
}

export function secretlint(texts: Array<{ name: string; text: string }>): Finding[] {
  const dir = mkdtempSync(join(tmpdir(), "togai-scan-"));
  const files = join(dir, "files");
  mkdirSync(files);
  texts.forEach(({ name, text }, i) => {
    writeFileSync(join(files, `${i}-${name.replace(/[^\w.-]+/g, "_")}.txt`), text);
  });
  const config = join(dir, "secretlintrc.json");
  writeFileSync(
    config,
    JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] }),
  );
  const result = spawnSync(
    process.execPath,
    [
      join(PROJECT_ROOT, "node_modules", "secretlint", "bin", "secretlint.js"),
      "--secretlintrc",
      config,
      "--format",
      "json",
      `${files}/*.txt`,
    ],
    { cwd: PROJECT_ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`secretlint failed (exit ${result.status}): ${result.stderr}`);
  }
  const report = JSON.parse(result.stdout) as Array<{
    filePath: string;
    messages: Array<{ ruleId: string }>;
  }>;
  return report.flatMap((f) =>
    f.messages.map((m) => ({ file: f.filePath.split("/").pop() as string, ruleId: m.ruleId })),
  );
}
