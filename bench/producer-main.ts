/**
 * One run of row 2b in a process of its own (so that its peak memory is its own): sends
 * PRODUCER_EVENTS events, generated one at a time, to the stand-in at BASE_URL, either through
 * TogaiEventBuffer or through a bare undici Pool sending the same batches of 500 with the same
 * concurrency and nothing else (`ceiling`). The buffer runs with its defaults (`buffer`: room for
 * 10,000 events, sized for a Lambda handler's burst) and sized for a continuous stream
 * (`buffer-stream`: one batch beyond what is in flight, 500 × (8 + 1), as the README advises).
 * Prints one JSON line of figures.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Pool } from "undici";
import type { TokenSecretValue } from "../lib/contract";
import { TogaiClient } from "../lib/runtime/client";
import type { TogaiRequestInfo } from "../lib/runtime/client-options";
import { TogaiEventBuffer } from "../lib/runtime/event-buffer";
import type { TogaiEvent } from "../lib/runtime/event-validation";
import { percentile } from "./stats";

const EVENTS = Number(process.env.PRODUCER_EVENTS ?? 1_000_000);
const CONCURRENCY = 8;
const baseUrl = process.env.BASE_URL as string;
const token = process.env.TOKEN as string;
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const at = new Date().toISOString();
const makeEvent = (i: number): TogaiEvent => ({
  id: `p-${process.pid}-${i}`,
  schemaName: "api_calls",
  timestamp: at,
  accountId: `acct-${i % 50}`,
  attributes: [{ name: "calls", value: String(i % 1000), unit: "count" }],
  dimensions: { region: "eu-west-1" },
});

async function main(): Promise<void> {
  const variant = process.argv[2];
  const requestMs: number[] = [];
  let peak = 0;
  // The timing record is the benchmark's own memory: allocated before the baseline, by every
  // variant alike, so that peak memory counts only what the sending itself holds.
  const addNs = new Float64Array(EVENTS);
  gc();
  const baseline = process.memoryUsage.rss();
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss() - baseline);
  };
  const buffered = variant.startsWith("buffer");
  let added = 0;
  const started = process.hrtime.bigint();
  if (buffered) {
    const secret: TokenSecretValue = {
      token,
      apiBaseUrl: baseUrl,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      issuedAt: new Date().toISOString(),
    };
    const client = new TogaiClient({
      tokens: { getTokenSecret: async () => secret, forceRefresh: async () => token },
      connections: CONCURRENCY,
      onRequest: (info: TogaiRequestInfo) => requestMs.push(info.durationMs),
    });
    const buffer = new TogaiEventBuffer({
      client,
      maxConcurrentRequests: CONCURRENCY,
      maxBufferedEvents: variant === "buffer-stream" ? 500 * (CONCURRENCY + 1) : undefined,
    });
    for (let i = 0; i < EVENTS; i++) {
      if (buffer.full) {
        sample();
        await buffer.whenRoom();
      }
      const event = makeEvent(i);
      const t0 = process.hrtime.bigint();
      buffer.add(event);
      addNs[added++] = Number(process.hrtime.bigint() - t0);
    }
    const result = await buffer.flush();
    if (result.accepted !== EVENTS) throw new Error(`buffer: ${result.failed.length} failed`);
    await client.close();
  } else {
    const pool = new Pool(baseUrl, { connections: CONCURRENCY });
    const inFlight = new Set<Promise<void>>();
    const send = async (batch: TogaiEvent[]) => {
      const t0 = performance.now();
      const r = await pool.request({
        path: "/ingestBatch",
        method: "POST",
        body: JSON.stringify({ events: batch }),
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      });
      await r.body.text();
      requestMs.push(performance.now() - t0);
      if (r.statusCode !== 202) throw new Error(`ceiling: HTTP ${r.statusCode}`);
    };
    let batch: TogaiEvent[] = [];
    for (let i = 0; i < EVENTS; i++) {
      batch.push(makeEvent(i));
      if (batch.length === 500 || i === EVENTS - 1) {
        const p = send(batch).finally(() => inFlight.delete(p));
        inFlight.add(p);
        batch = [];
        if (inFlight.size >= CONCURRENCY) {
          sample();
          await Promise.race(inFlight);
        }
      }
    }
    await Promise.all(inFlight);
    await pool.close();
  }
  sample();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sortedAdd = [...addNs.subarray(0, added)].sort((a, b) => a - b);
  const sortedReq = [...requestMs].sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      variant,
      events: EVENTS,
      eventsPerSecond: EVENTS / seconds,
      addP50Us: sortedAdd.length ? percentile(sortedAdd, 50) / 1000 : Number.NaN,
      addP99Us: sortedAdd.length ? percentile(sortedAdd, 99) / 1000 : Number.NaN,
      peakMemoryMb: peak / 2 ** 20,
      requests: requestMs.length,
      requestP50Ms: percentile(sortedReq, 50),
      requestP99Ms: percentile(sortedReq, 99),
      requestMaxMs: sortedReq.at(-1),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
