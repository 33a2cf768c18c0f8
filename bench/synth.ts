/**
 * Row 4: synthesis of examples/basic through the library vs an app that declares the same raw
 * resources directly, each in a fresh node process (compiled JS, so no TypeScript cost), and the
 * time to import the library vs a single provider resource module. The variants run in
 * interleaved rounds: run one after the other in blocks, a drift of the machine's speed between
 * the blocks showed as overhead (41.5 % in one run, 4 % in the next).
 */
import { join } from "node:path";
import { type TimedResult, timeNodeProcessesInterleaved } from "./stats";

const ROOT = join(__dirname, "..");
export const SYNTH_RUNS = 11;

const variant = (name: string, script: string) => ({ variant: name, args: ["-e", script] });

const synthWith = (app: string) =>
  `const {mkdtempSync}=require("fs");const {join}=require("path");const {tmpdir}=require("os");` +
  `process.env.CDKTF_OUTDIR=mkdtempSync(join(tmpdir(),"togai-synth-"));require(${JSON.stringify(app)});`;

/** The four variants timed in interleaved rounds (see timeNodeProcessesInterleaved). */
export function benchSynth(): TimedResult[] {
  return timeNodeProcessesInterleaved(
    [
      variant(
        "cdktf-togai: examples/basic",
        synthWith(join(ROOT, "bench", "apps", "library-app.js")),
      ),
      variant("raw resources, same stack", synthWith(join(ROOT, "bench", "apps", "raw-app.js"))),
      variant(
        "import cdktf-togai",
        `require(${JSON.stringify(join(ROOT, "dist", "lib", "index.js"))})`,
      ),
      variant(
        "import one provider resource module",
        `require("@cdktf/provider-aws/lib/secretsmanager-secret")`,
      ),
    ],
    SYNTH_RUNS,
    { cwd: ROOT, env: { CHECKPOINT_DISABLE: "1" } },
  );
}
