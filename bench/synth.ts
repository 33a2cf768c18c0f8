/**
 * Row 4: synthesis of examples/basic through the library vs an app that declares the same raw
 * resources directly, each in a fresh node process (compiled JS, so no TypeScript cost), and the
 * time to import the library vs a single provider resource module.
 */
import { join } from "node:path";
import { type TimedResult, timeNodeProcesses } from "./stats";

const ROOT = join(__dirname, "..");
export const SYNTH_RUNS = 7;

const time = (variant: string, script: string): TimedResult =>
  timeNodeProcesses(variant, ["-e", script], SYNTH_RUNS, {
    cwd: ROOT,
    env: { CHECKPOINT_DISABLE: "1" },
  });

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
