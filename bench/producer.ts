/**
 * Row 2b: the buffered producer (TogaiEventBuffer) against the bare undici ceiling, the same
 * 1,000,000 events, each run in a fresh process (bench/producer-main.ts), alternating order.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const PRODUCER_RUNS = 3;

export interface ProducerResult {
  readonly variant: string;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly addP50Us: number;
  readonly addP99Us: number;
  readonly peakMemoryMb: number;
  readonly requests: number;
  readonly requestP50Ms: number;
  readonly requestP99Ms: number;
  readonly requestMaxMs: number;
}

function runOnce(variant: string, baseUrl: string, token: string): ProducerResult {
  const out = spawnSync(
    process.execPath,
    [
      join(__dirname, "..", "node_modules", "tsx", "dist", "cli.mjs"),
      join(__dirname, "producer-main.ts"),
      variant,
    ],
    { env: { ...process.env, BASE_URL: baseUrl, TOKEN: token }, encoding: "utf8" },
  );
  if (out.status !== 0) throw new Error(`producer ${variant} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").at(-1) as string);
}

export const PRODUCER_VARIANTS = ["buffer", "buffer-stream", "ceiling"];

/** One run of every variant per round, in a rotating order; each round sorted by variant. */
export function benchProducer(baseUrl: string, token: string): ProducerResult[][] {
  const runs: ProducerResult[][] = [];
  for (let i = 0; i < PRODUCER_RUNS; i++) {
    const order = PRODUCER_VARIANTS.map(
      (_, j) => PRODUCER_VARIANTS[(i + j) % PRODUCER_VARIANTS.length],
    );
    const results = order.map((variant) => runOnce(variant, baseUrl, token));
    runs.push(results.sort((a, b) => a.variant.localeCompare(b.variant)));
  }
  return runs;
}
