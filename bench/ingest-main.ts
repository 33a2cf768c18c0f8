/**
 * Row 2 alone: `npx tsx bench/ingest-main.ts [runs]` runs the ingest benchmark (TogaiClient and
 * the bare undici ceiling alternating, then the per-event clients) against the stand-in in its
 * own process, and prints each run's figures and the TogaiClient ÷ ceiling ratio;
 * `npx tsx bench/ingest-main.ts producer` runs row 2b (the buffered producer) instead.
 * `npm run bench` runs both, with every other row, and rewrites bench/README.md.
 */
import { authenticate } from "../lib/togai/togai-api";
import { benchIngest, type IngestResult, startStandInProcess } from "./ingest";
import { benchProducer } from "./producer";
import { spread } from "./stats";

async function main(): Promise<void> {
  const secretKey = `bench_sk_${Date.now()}`;
  const standIn = await startStandInProcess(secretKey);
  try {
    if (process.argv[2] === "producer") {
      const token = await authenticate(standIn.baseUrl, secretKey);
      for (const run of benchProducer(standIn.baseUrl, token)) {
        for (const r of run) process.stdout.write(`${JSON.stringify(r)}\n`);
      }
      return;
    }
    const runs = Number(process.argv[2] ?? 1);
    const all: IngestResult[][] = [];
    for (let run = 1; run <= runs; run++) {
      const results = await benchIngest(standIn.baseUrl, secretKey);
      all.push(results);
      for (const r of results) {
        process.stdout.write(
          `run ${run}: ${r.client}: ${Math.round(r.eventsPerSecond)} events/s, ${r.requests} requests, p99 per event ${r.p99PerEventMs.toFixed(1)} ms\n`,
        );
      }
      const ratio = results[0].eventsPerSecond / results[1].eventsPerSecond;
      process.stdout.write(`run ${run}: TogaiClient ÷ ceiling: ${Math.round(ratio * 100)} %\n`);
    }
    // The rows as bench/README.md shows them (median of the runs, smallest–largest).
    process.stdout.write(
      "\n| client | events/s | requests | p99 per event ms |\n| --- | --- | --- | --- |\n",
    );
    for (const { client } of all[0]) {
      const f = (field: keyof IngestResult, d = 0) =>
        spread(
          all.map((run) => Number(run.find((r) => r.client === client)?.[field])),
          d,
        );
      process.stdout.write(
        `| ${client} | ${f("eventsPerSecond")} | ${f("requests")} | ${f("p99PerEventMs", 1)} |\n`,
      );
    }
  } finally {
    standIn.child.kill("SIGTERM");
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
