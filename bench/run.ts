/**
 * `npm run bench`: every row side by side with the alternative, in one run, on loopback.
 * Prints the tables and rewrites bench/README.md and bench/results.json with them.
 */
import { writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { startMotoServer } from "../test/support/moto-server";
import { benchColdStart, COLD_START_RUNS } from "./cold-start";
import {
  benchIngest,
  EVENTS,
  type IngestResult,
  PER_EVENT_EVENTS,
  startStandInProcess,
} from "./ingest";
import { median, spread } from "./stats";
import { benchSynth, SYNTH_RUNS } from "./synth";
import { benchTokenReads, type ReaderResult, SIMULATED_HOURS } from "./token-reads";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.AWS_REGION = "us-east-1";
process.env.AWS_ACCESS_KEY_ID = "bench";
process.env.AWS_SECRET_ACCESS_KEY = "bench";
process.env.AWS_EC2_METADATA_DISABLED = "true";

const RUNS = 3;
const log = (line: string) => process.stdout.write(`${line}\n`);
const verdict = (met: boolean) => (met ? "met" : "**MISSED**");

/** Per reader/client, the values of one field over all runs. */
function across<T extends object>(
  runs: T[][],
  key: keyof T,
  field: keyof T,
  name: string,
): number[] {
  return runs.map((run) => Number(run.find((r) => r[key] === name)?.[field]));
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
  log(`machine: ${machine}`);

  log(`\n1. token reads (${SIMULATED_HOURS} simulated hours at 1 request/s, ${RUNS} runs)...`);
  const moto = await startMotoServer();
  const readRuns: ReaderResult[][] = [];
  try {
    for (let i = 0; i < RUNS; i++) readRuns.push(await benchTokenReads(moto));
  } finally {
    await moto.stop();
  }

  log(`2. ingest (${RUNS} runs)...`);
  const secretKey = `bench_sk_${Date.now()}`;
  const standIn = await startStandInProcess(secretKey);
  const ingestRuns: IngestResult[][] = [];
  try {
    for (let i = 0; i < RUNS; i++) ingestRuns.push(await benchIngest(standIn.baseUrl, secretKey));
  } finally {
    standIn.child.kill("SIGTERM");
  }

  log(`3. rotation function cold start (${COLD_START_RUNS} processes each)...`);
  const cold = benchColdStart();
  log(`4. synth and import (${SYNTH_RUNS} processes each)...`);
  const synth = benchSynth();

  const lines: string[] = [];
  const out = (line = "") => {
    lines.push(line);
    log(line);
  };

  // Row 1
  const readers = readRuns[0].map((r) => r.reader);
  out(
    `## 1. Token reads: ${SIMULATED_HOURS} simulated hours at 1 request/s (${readRuns[0][0].requests} requests), rotation every 6 h, against moto_server`,
  );
  out();
  out(
    "| reader | Secrets Manager calls | 100-caller cold burst: calls | getToken p50 µs | p99 µs | cached p99 µs | requests/s |",
  );
  out("| --- | --- | --- | --- | --- | --- | --- |");
  for (const name of readers) {
    const f = (field: keyof ReaderResult, d = 1) =>
      spread(across(readRuns, "reader", field, name), d);
    out(
      `| ${name} | ${f("secretsManagerCalls", 0)} | ${f("burstSecretsManagerCalls", 0)} | ${f("p50Us")} | ${f("p99Us")} | ${f("cachedP99Us")} | ${f("callsPerSecond", 0)} |`,
    );
  }
  const ours = (field: keyof ReaderResult) => median(across(readRuns, "reader", field, readers[0]));
  const powertools = (field: keyof ReaderResult) =>
    median(across(readRuns, "reader", field, readers[1]));
  const callRatio = powertools("secretsManagerCalls") / ours("secretsManagerCalls");
  out();
  out(
    `- Secrets Manager calls, Powertools ÷ cdktf-togai: ${callRatio.toFixed(0)}× (target ≥ 100×): ${verdict(callRatio >= 100)}`,
  );
  out(
    `- cached getToken() p99: ${ours("cachedP99Us").toFixed(1)} µs vs Powertools' cache hit ${powertools("cachedP99Us").toFixed(1)} µs (target: no slower): ${verdict(ours("cachedP99Us") <= powertools("cachedP99Us"))}`,
  );

  // Row 2
  const clients = ingestRuns[0].map((r) => r.client);
  out();
  out(
    `## 2. Ingest against the Togai stand-in (own process, no rate limits): ${EVENTS} events for the batching clients, ${PER_EVENT_EVENTS} for the per-event ones, after a warm-up`,
  );
  out();
  out("| client | events/s | requests | p99 per event ms |");
  out("| --- | --- | --- | --- |");
  for (const name of clients) {
    const f = (field: keyof IngestResult, d = 0) =>
      spread(across(ingestRuns, "client", field, name), d);
    out(`| ${name} | ${f("eventsPerSecond")} | ${f("requests")} | ${f("p99PerEventMs", 1)} |`);
  }
  const eps = (name: string) => median(across(ingestRuns, "client", "eventsPerSecond", name));
  const vsNaive = eps(clients[0]) / eps(clients[3]);
  const vsCeiling = eps(clients[0]) / eps(clients[1]);
  out();
  out(
    "For TogaiClient the per-event figure is the whole call's time (every event waits at most that long).",
  );
  out(
    `- TogaiClient ÷ naive events/s: ${vsNaive.toFixed(0)}× (target ≥ 20×): ${verdict(vsNaive >= 20)}`,
  );
  out(
    `- TogaiClient ÷ ceiling events/s: ${(vsCeiling * 100).toFixed(0)} % (target ≥ 80 %): ${verdict(vsCeiling >= 0.8)}`,
  );

  // Row 3
  const bare = cold.results[0].medianMs;
  out();
  out(
    `## 3. Rotation function: size and cold start (fresh node process, one no-op invocation, ${COLD_START_RUNS} runs)`,
  );
  out();
  out("| variant | cold start ms, median (min–max) | × bare node | code bytes |");
  out("| --- | --- | --- | --- |");
  for (const r of cold.results) {
    out(
      `| ${r.variant} | ${r.medianMs.toFixed(1)} (${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)}) | ${(r.medianMs / bare).toFixed(2)} | ${r.codeBytes ?? (r.variant.startsWith("bare") ? "—" : "node_modules")} |`,
    );
  }
  const coldRatio = cold.results[1].medianMs / bare;
  out();
  out(
    `- zip: ${(cold.zipBytes / 1024).toFixed(1)} KB (the AWS SDK client bundled, minified; a plain esbuild bundle of an SDK + undici handler gzips to ${(cold.sdkBundleZipBytes / 1024).toFixed(0)} KB; target ≤ 200 KB): ${verdict(cold.zipBytes <= 200 * 1024)}`,
  );
  out(
    `- cold start ÷ bare node: ${coldRatio.toFixed(2)} (reported only: the function runs a few times a day, cold start is no target)`,
  );

  // Row 4
  out();
  out(`## 4. Synth and import (fresh node process each, compiled JS, ${SYNTH_RUNS} runs)`);
  out();
  out("| what | ms, median (min–max) |");
  out("| --- | --- |");
  for (const r of synth)
    out(
      `| ${r.variant} | ${r.medianMs.toFixed(0)} (${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)}) |`,
    );
  const overhead = synth[0].medianMs / synth[1].medianMs - 1;
  const importRatio = synth[2].medianMs / synth[3].medianMs;
  out();
  out(
    `- synth overhead over raw resources: ${(overhead * 100).toFixed(1)} % (target ≤ 10 %): ${verdict(overhead <= 0.1)}`,
  );
  out(
    `- import ÷ one provider resource module: ${importRatio.toFixed(2)} (target ≤ 1.5): ${verdict(importRatio <= 1.5)}`,
  );

  const took = ((Date.now() - started) / 1000).toFixed(0);
  const readme = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (these figures are the ones it printed); not part of `npm test`.",
    `Each figure is the median of the runs, with the smallest and largest in brackets. Run took ${took} s.`,
    "",
    `Machine: ${machine}.`,
    "",
    "Command: `npm run bench`",
    "",
    ...lines,
    "",
    "Raw numbers: [`results.json`](results.json).",
    "",
  ].join("\n");
  writeFileSync(join(__dirname, "README.md"), readme);
  writeFileSync(
    join(__dirname, "results.json"),
    `${JSON.stringify({ machine, tokenReads: readRuns, ingest: ingestRuns, coldStart: cold, synth }, null, 2)}\n`,
  );
  log(`\nwrote bench/README.md and bench/results.json (${took} s)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
