import { spawnSync } from "node:child_process";

/** Small statistics helpers for the benchmarks. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** "median (min–max)" of several runs, with a unit. */
export function spread(values: number[], digits = 1, unit = ""): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(digits);
  return `${f(median(sorted))}${unit} (${f(sorted[0])}–${f(sorted[sorted.length - 1])})`;
}

/** Collects per-call latencies in microseconds. */
export class Latencies {
  readonly values: number[] = [];
  async time<T>(call: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    const result = await call();
    this.values.push(Number(process.hrtime.bigint() - start) / 1000);
    return result;
  }
  p(pct: number): number {
    return percentile(
      [...this.values].sort((a, b) => a - b),
      pct,
    );
  }
}

/** Wall time of a fresh `node` process, over several runs. */
export interface TimedResult {
  readonly variant: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** Runs `node <args>` `runs` times; fails loudly when a run fails. */
export function timeNodeProcesses(
  variant: string,
  args: string[],
  runs: number,
  options: { env?: Record<string, string>; cwd?: string } = {},
): TimedResult {
  return timeNodeProcessesInterleaved([{ variant, args }], runs, options)[0];
}

/**
 * Times each variant `runs` times in rounds (A, B, A, B, ...), so that the machine's drift
 * during the run (other load, CPU frequency) weighs on every variant alike: compared side by
 * side, medians of back-to-back blocks mostly measured when each block ran.
 */
export function timeNodeProcessesInterleaved(
  variants: ReadonlyArray<{ variant: string; args: string[] }>,
  runs: number,
  options: { env?: Record<string, string>; cwd?: string } = {},
): TimedResult[] {
  const times = variants.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    variants.forEach(({ variant, args }, v) => {
      const started = process.hrtime.bigint();
      const out = spawnSync(process.execPath, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        encoding: "utf8",
      });
      times[v].push(Number(process.hrtime.bigint() - started) / 1e6);
      if (out.status !== 0) throw new Error(`${variant} failed: ${out.stderr}`);
    });
  }
  return variants.map(({ variant }, v) => ({
    variant,
    medianMs: median(times[v]),
    minMs: Math.min(...times[v]),
    maxMs: Math.max(...times[v]),
  }));
}
