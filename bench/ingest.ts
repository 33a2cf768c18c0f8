/**
 * Row 2: ingestion against the Togai stand-in (its own process, no rate limits), after a warm-up,
 * TogaiClient and the ceiling alternating over several rounds:
 * TogaiClient, a naive client (one fetch per event with the secret key), undici without batching
 * (one request per event over a Pool, with the token), and the ceiling: a bare undici Pool
 * serializing and sending the same batches of 500 with the same concurrency, and nothing else.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Pool } from "undici";
import type { TokenSecretValue } from "../lib/contract";
import { TogaiClient } from "../lib/runtime/client";
import type { TogaiEvent } from "../lib/runtime/event-validation";
import { authenticate } from "../lib/togai/togai-api";
import { Latencies } from "./stats";

/** Events per run for the batching clients; the one-request-per-event clients send PER_EVENT_EVENTS. */
export const EVENTS = 100_000;
export const PER_EVENT_EVENTS = 10_000;
const CONNECTIONS = 8;
const ROUNDS = 5;

export interface IngestResult {
  readonly client: string;
  readonly events: number;
  readonly requests: number;
  readonly eventsPerSecond: number;
  /** p99 of the time each event waited for its request, in ms. */
  readonly p99PerEventMs: number;
}

function events(n: number): TogaiEvent[] {
  const at = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-${i}-${randomBytes(4).toString("hex")}`,
    schemaName: "api_calls",
    timestamp: at,
    accountId: `acct-${i % 50}`,
    attributes: [{ name: "calls", value: String(i % 1000), unit: "count" }],
    dimensions: { region: "eu-west-1" },
  }));
}

/** Runs `send` over `items` with `concurrency` workers; returns the wall time in seconds. */
async function pool<T>(
  items: T[],
  concurrency: number,
  send: (item: T) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await send(items[next++]);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export async function startStandInProcess(
  secretKey: string,
): Promise<{ baseUrl: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      join(__dirname, "..", "node_modules", "tsx", "dist", "cli.mjs"),
      join(__dirname, "standin-main.ts"),
    ],
    {
      env: { ...process.env, TOGAI_STANDIN_SECRET_KEY: secretKey },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once("data", (d) => resolve(JSON.parse(String(d)).port));
    child.once("exit", (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, child };
}

export async function benchIngest(baseUrl: string, secretKey: string): Promise<IngestResult[]> {
  const token = await authenticate(baseUrl, secretKey);
  const secret: TokenSecretValue = {
    token,
    apiBaseUrl: baseUrl,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    issuedAt: new Date().toISOString(),
  };
  const tokens = { getTokenSecret: async () => secret, forceRefresh: async () => token };
  const results: IngestResult[] = [];

  // TogaiClient and the ceiling run ROUNDS times each, alternating which goes first (so that
  // garbage collection and warm-up land on both alike); each keeps its median round.
  const client = new TogaiClient({ tokens, connections: CONNECTIONS });
  const p = new Pool(baseUrl, { connections: CONNECTIONS });
  // The ceiling: a bare undici Pool serializing and sending the same batches, nothing else.
  const send = async (batch: TogaiEvent[]) => {
    const r = await p.request({
      path: "/ingestBatch",
      method: "POST",
      body: JSON.stringify({ events: batch }),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    await r.body.text();
    if (r.statusCode !== 202) throw new Error(`ceiling: HTTP ${r.statusCode}`);
  };
  const chunk = (all: TogaiEvent[]) =>
    Array.from({ length: Math.ceil(all.length / 500) }, (_, i) =>
      all.slice(i * 500, i * 500 + 500),
    );
  const measureClient = async (): Promise<IngestResult> => {
    const batch = events(EVENTS);
    const started = process.hrtime.bigint();
    const out = await client.ingestBatch(batch);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      client: "cdktf-togai TogaiClient",
      events: EVENTS,
      requests: out.requests,
      eventsPerSecond: EVENTS / seconds,
      p99PerEventMs: seconds * 1000,
    };
  };
  const measureCeiling = async (): Promise<IngestResult> => {
    const batches = chunk(events(EVENTS));
    const latencies = new Latencies();
    const seconds = await pool(batches, CONNECTIONS, (batch) => latencies.time(() => send(batch)));
    return {
      client: "ceiling: bare undici Pool, same batches",
      events: EVENTS,
      requests: batches.length,
      eventsPerSecond: EVENTS / seconds,
      p99PerEventMs: latencies.p(99) / 1000,
    };
  };
  await client.ingestBatch(events(20_000)); // warm-up: connections and JIT
  await pool(chunk(events(20_000)), CONNECTIONS, send);
  const rounds: { client: IngestResult[]; ceiling: IngestResult[] } = { client: [], ceiling: [] };
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      rounds.client.push(await measureClient());
      rounds.ceiling.push(await measureCeiling());
    } else {
      rounds.ceiling.push(await measureCeiling());
      rounds.client.push(await measureClient());
    }
  }
  const medianRound = (list: IngestResult[]) =>
    [...list].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond)[Math.floor(list.length / 2)];
  results.push(medianRound(rounds.client), medianRound(rounds.ceiling));
  await client.close();
  await p.close();

  // undici without batching: one /ingest per event over a keep-alive Pool, with the token.
  {
    const p = new Pool(baseUrl, { connections: CONNECTIONS });
    const latencies = new Latencies();
    const seconds = await pool(events(PER_EVENT_EVENTS), CONNECTIONS, async (event) => {
      await latencies.time(async () => {
        const r = await p.request({
          path: "/ingest",
          method: "POST",
          body: JSON.stringify({ event }),
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        });
        await r.body.text();
      });
    });
    await p.close();
    results.push({
      client: "undici Pool, one request per event",
      events: PER_EVENT_EVENTS,
      requests: PER_EVENT_EVENTS,
      eventsPerSecond: PER_EVENT_EVENTS / seconds,
      p99PerEventMs: latencies.p(99) / 1000,
    });
  }

  // Naive: fetch per event, one at a time, the secret key on every call.
  {
    const latencies = new Latencies();
    const seconds = await pool(events(PER_EVENT_EVENTS), 1, async (event) => {
      await latencies.time(async () => {
        const r = await fetch(`${baseUrl}/ingest`, {
          method: "POST",
          body: JSON.stringify({ event }),
          headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
        });
        await r.text();
      });
    });
    results.push({
      client: "naive: fetch per event, secret key",
      events: PER_EVENT_EVENTS,
      requests: PER_EVENT_EVENTS,
      eventsPerSecond: PER_EVENT_EVENTS / seconds,
      p99PerEventMs: latencies.p(99) / 1000,
    });
  }
  return results;
}
