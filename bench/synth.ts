/**
 * Row 4: synthesis of examples/basic through the library vs an app that declares the same raw
 * resources directly, each in a fresh node process (compiled JS, so no TypeScript cost), and the
 * time to import the library vs a single provider resource module.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { median } from "./stats";

const ROOT = join(__dirname, "..");
export const SYNTH_RUNS = 7;

export interface TimedResult {
  readonly variant: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

function time(variant: string, script: string): TimedResult {
  const runs: number[] = [];
  for (let i = 0; i < SYNTH_RUNS; i++) {
    const started = process.hrtime.bigint();
    const out = spawnSync(process.execPath, ["-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    runs.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (out.status !== 0) throw new Error(`${variant} failed: ${out.stderr}`);
  }
  return { variant, medianMs: median(runs), minMs: Math.min(...runs), maxMs: Math.max(...runs) };
}

const synthWith = (app: string) =>
  `const {mkdtempSync}=require("fs");const {join}=require("path");const {tmpdir}=require("os");` +
  `process.env.CDKTF_OUTDIR=mkdtempSync(join(tmpdir(),"togai-synth-"));require(${JSON.stringify(app)});`;

export function benchSynth(): TimedResult[] {
  return [
    time("cdktf-togai: examples/basic", synthWith(join(ROOT, "bench", "apps", "library-app.js"))),
    time("raw resources, same stack", synthWith(join(ROOT, "bench", "apps", "raw-app.js"))),
    time("import cdktf-togai", `require(${JSON.stringify(join(ROOT, "dist", "lib", "index.js"))})`),
    time(
      "import one provider resource module",
      `require("@cdktf/provider-aws/lib/secretsmanager-secret")`,
    ),
  ];
}
