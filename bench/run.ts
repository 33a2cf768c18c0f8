/**
 * `npm run bench`: every row side by side with the alternative, in one run, on loopback.
 * Prints the tables and rewrites bench/README.md and bench/results.json with them.
 */
import { writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { authenticate } from "../lib/togai/togai-api";
import { startMotoServer } from "../test/support/moto-server";
import { benchColdStart, COLD_START_RUNS } from "./cold-start";
import {
  benchIngest,
  EVENTS,
  type IngestResult,
  PER_EVENT_EVENTS,
  startStandInProcess,
} from "./ingest";
import { benchProducer, PRODUCER_RUNS, type ProducerResult } from "./producer";
import { benchSoak, type SoakResult } from "./soak";
import { median, spread } from "./stats";
import { benchSynth, SYNTH_RUNS } from "./synth";
import {
  benchOutage,
  benchTokenReads,
  type OutageResult,
  type ReaderResult,
  SIMULATED_HOURS,
} from "./token-reads";

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
  let outage: OutageResult[];
  let soak: SoakResult;
  try {
    for (let i = 0; i < RUNS; i++) readRuns.push(await benchTokenReads(moto));
    log("   10-minute Secrets Manager outage...");
    outage = await benchOutage(moto);
    log("5. soak: 50 consumers, one simulated day...");
    soak = await benchSoak(moto);
  } finally {
    await moto.stop();
  }

  log(`2. ingest (${RUNS} runs)...`);
  const secretKey = `bench_sk_${Date.now()}`;
  const standIn = await startStandInProcess(secretKey);
  const ingestRuns: IngestResult[][] = [];
  let producerRuns: ProducerResult[][];
  try {
    for (let i = 0; i < RUNS; i++) ingestRuns.push(await benchIngest(standIn.baseUrl, secretKey));
    log(`2b. buffered producer vs ceiling, 1,000,000 events (${PRODUCER_RUNS} runs)...`);
    producerRuns = benchProducer(standIn.baseUrl, await authenticate(standIn.baseUrl, secretKey));
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
  out();
  out(
    "### 1b. A 10-minute Secrets Manager outage (every read HTTP 500), 17 simulated hours after warm-up, 1 call/s",
  );
  out();
  out("| reader | calls | Secrets Manager reads | calls failed | tokens served |");
  out("| --- | --- | --- | --- | --- |");
  for (const r of outage) {
    out(`| ${r.reader} | ${r.calls} | ${r.reads} | ${r.failedCalls} | ${r.tokensServed} |`);
  }

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

  // Row 2b
  const byVariant = (v: string, field: keyof ProducerResult, d = 1) =>
    spread(
      producerRuns.map((run) => Number(run.find((r) => r.variant === v)?.[field])),
      d,
    );
  const med = (v: string, field: keyof ProducerResult) =>
    median(producerRuns.map((run) => Number(run.find((r) => r.variant === v)?.[field])));
  out();
  out(
    `## 2b. Buffered producer (TogaiEventBuffer) vs the bare undici ceiling: 1,000,000 events generated one at a time, batches of 500, 8 requests in flight, a fresh process per run (${PRODUCER_RUNS} runs)`,
  );
  out();
  out(
    "| variant | events/s | add() p50 µs | add() p99 µs | peak RSS over baseline MB | requests | request p50 ms | p99 ms | max ms |",
  );
  out("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const [v, name] of [
    ["buffer", "cdktf-togai TogaiEventBuffer, defaults (room for 10,000 events)"],
    ["buffer-stream", "cdktf-togai TogaiEventBuffer, maxBufferedEvents 4,500 (stream)"],
    ["ceiling", "ceiling: bare undici Pool, same batches"],
  ]) {
    out(
      `| ${name} | ${byVariant(v, "eventsPerSecond", 0)} | ${byVariant(v, "addP50Us", 2)} | ${byVariant(v, "addP99Us", 2)} | ${byVariant(v, "peakMemoryMb")} | ${byVariant(v, "requests", 0)} | ${byVariant(v, "requestP50Ms")} | ${byVariant(v, "requestP99Ms")} | ${byVariant(v, "requestMaxMs")} |`,
    );
  }
  const share = (v: string) => med(v, "eventsPerSecond") / med("ceiling", "eventsPerSecond");
  out();
  out(
    "Targets are judged on the buffer sized for a stream (what the README advises for a continuous producer); the defaults' figures are beside them.",
  );
  out();
  out(
    `- events/s, buffer ÷ ceiling: ${(share("buffer-stream") * 100).toFixed(0)} % (target ≥ 90 %): ${verdict(share("buffer-stream") >= 0.9)}; with the defaults ${(share("buffer") * 100).toFixed(0)} %`,
  );
  out(
    `- add() p99: ${med("buffer-stream", "addP99Us").toFixed(2)} µs (target ≤ 5 µs): ${verdict(med("buffer-stream", "addP99Us") <= 5)}; with the defaults ${med("buffer", "addP99Us").toFixed(2)} µs`,
  );
  out(
    `- peak memory over baseline: ${med("buffer-stream", "peakMemoryMb").toFixed(1)} MB (target ≤ 64 MB): ${verdict(med("buffer-stream", "peakMemoryMb") <= 64)}; with the defaults ${med("buffer", "peakMemoryMb").toFixed(1)} MB`,
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
  out(
    `## 4. Synth and import (fresh node process each, compiled JS, ${SYNTH_RUNS} interleaved rounds)`,
  );
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

  // Row 5
  out();
  out(
    "## 5. Soak in simulated time: 50 consumers, one day, 10-minute ticks of 20 events each, each consumer recycled every 2 h",
  );
  out();
  out(
    "Faults: rotation every 6 h; Secrets Manager HTTP 500 on 5 % of reads and down 12:00–12:10; Togai 429 (some with Retry-After: 1), 503, 500, or an answer lost after accepting (500 or too slow) on 5 % of requests; a token Togai rejects in the secret 09:00–09:30. Consumers re-add what `flush()` returns, with the same ids.",
  );
  out();
  out("| figure | value | target |");
  out("| --- | --- | --- |");
  out(`| events created | ${soak.eventsCreated} | |`);
  out(`| events Togai recorded (by id) | ${soak.eventsRecorded} | all |`);
  out(`| lost | ${soak.lost} | 0: ${verdict(soak.lost === 0)} |`);
  out(
    `| billed twice (one event recorded under two ids) | ${soak.billedTwice} | 0: ${verdict(soak.billedTwice === 0)} |`,
  );
  out(
    `| repeated deliveries of a recorded id (Togai drops them) | ${soak.repeatedIdDeliveries} | |`,
  );
  out(
    `| requests with an expired token | ${soak.expiredTokenRequests} | 0: ${verdict(soak.expiredTokenRequests === 0)} |`,
  );
  out(
    `| requests with the rejected token / consumer instances that met it | ${soak.rejectedTokenRequests} / ${soak.incarnationsWithRejectedToken} | ≤ 2 per instance: ${verdict(soak.rejectedTokenRequests <= 2 * soak.incarnationsWithRejectedToken)} |`,
  );
  out(
    `| Secrets Manager reads per consumer (mean / max) | ${soak.readsPerConsumer.toFixed(1)} / ${soak.maxReadsPerConsumer} | |`,
  );
  out(`| Togai batch requests | ${soak.togaiRequests} | |`);
  out(`| wall time | ${soak.seconds.toFixed(0)} s | |`);

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
    `${JSON.stringify(
      {
        machine,
        tokenReads: readRuns,
        outage,
        ingest: ingestRuns,
        producer: producerRuns,
        coldStart: cold,
        synth,
        soak,
      },
      null,
      2,
    )}\n`,
  );
  log(`\nwrote bench/README.md and bench/results.json (${took} s)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
