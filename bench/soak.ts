/**
 * Row 5: a day in simulated time. 50 consumers (each recycled every 2 simulated hours, as Lambda
 * instances are) add 20 events per 10-minute tick through TogaiEventBuffer and retry what flush()
 * returns, with the same ids. Rotations every 6 h; Secrets Manager fails 5 % of reads (HTTP 500)
 * and is down for 10 minutes at 12:00; Togai answers 5 % of requests with 429 (some with
 * Retry-After), 503, 500, or a success lost after accepting; at 09:00 the secret holds a token
 * Togai rejects, until 09:30. Real moto_server and Togai stand-in; Date is simulated.
 */
import { InternalServiceError, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { TogaiClient } from "../lib/runtime/client";
import { TogaiEventBuffer } from "../lib/runtime/event-buffer";
import type { TogaiEvent } from "../lib/runtime/event-validation";
import { TogaiTokenProvider } from "../lib/runtime/token-provider";
import { createSecret, putToken } from "../test/support/aws-fixtures";
import type { MotoServer } from "../test/support/moto-server";
import { startTogaiStandIn, TogaiStandIn } from "../test/support/togai-standin";

const CONSUMERS = 50;
const TICK_MS = 10 * 60_000;
const TICKS = 24 * 6;
const EVENTS_PER_TICK = 20;
const HOUR = 3_600_000;

export interface SoakResult {
  readonly eventsCreated: number;
  readonly eventsRecorded: number;
  readonly lost: number;
  readonly billedTwice: number;
  readonly repeatedIdDeliveries: number;
  readonly expiredTokenRequests: number;
  readonly rejectedTokenRequests: number;
  readonly incarnationsWithRejectedToken: number;
  readonly readsPerConsumer: number;
  readonly maxReadsPerConsumer: number;
  readonly togaiRequests: number;
  readonly seconds: number;
}

function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

export async function benchSoak(moto: MotoServer): Promise<SoakResult> {
  const started = Date.now();
  // Date jumps tick by tick and also runs on between jumps, so that a back-off measured in
  // Date (Retry-After) ends within a tick, as it would in a real day.
  const fake = FakeTimers.install({ now: Date.now(), toFake: ["Date"], shouldAdvanceTime: true });
  const t0 = Date.now();
  const random = seeded(42);
  const togai = await startTogaiStandIn({
    secretKeys: [],
    rateLimits: false,
    unauthenticatedLimit: 1_000_000,
    randomFaults: {
      probability: 0.05,
      random,
      faults: [
        { kind: "status", status: 429 },
        { kind: "status", status: 429, retryAfter: "1" },
        { kind: "status", status: 503 },
        { kind: "status", status: 500 },
        { kind: "accept-then-status", status: 500 },
        { kind: "accept-slow", delayMs: 600 },
      ],
    },
  });
  const foreign = new TogaiStandIn();
  const setup = new SecretsManagerClient({ endpoint: moto.endpoint });
  const arn = await createSecret(setup, "soak-token");
  await putToken(setup, arn, togai.mintToken(Math.floor(t0 / 1000)), togai.baseUrl);
  let outage = false;
  const reads = new Array<number>(CONSUMERS).fill(0);
  let withRejected = 0;

  const consumers = Array.from({ length: CONSUMERS }, (_, c) => {
    const sm = new SecretsManagerClient({ endpoint: moto.endpoint, maxAttempts: 1 });
    sm.middlewareStack.add(
      (next) => async (args) => {
        reads[c]++;
        if (outage || random() < 0.05) {
          throw new InternalServiceError({
            message: "injected",
            $metadata: { httpStatusCode: 500 },
          });
        }
        return next(args);
      },
      { step: "initialize", name: "soak-faults" },
    );
    return { sm, pending: [] as TogaiEvent[], seq: 0, start: () => incarnation(sm) };
  });
  function incarnation(sm: SecretsManagerClient) {
    const tokens = new TogaiTokenProvider({ secretId: arn, client: sm });
    const client = new TogaiClient({ tokens, timeoutMs: 400, baseDelayMs: 20, connections: 2 });
    return { client, buffer: new TogaiEventBuffer({ client }), metRejected: false };
  }
  const live = consumers.map((c) => c.start());

  for (let tick = 0; tick <= TICKS + 3; tick++) {
    const now = t0 + tick * TICK_MS;
    fake.setSystemTime(now);
    const hour = (now - t0) / HOUR;
    if (tick > 0 && tick <= TICKS && hour % 6 === 0) {
      await putToken(setup, arn, togai.mintToken(Math.floor(now / 1000)), togai.baseUrl);
    }
    if (hour === 9)
      await putToken(setup, arn, foreign.mintToken(Math.floor(now / 1000)), togai.baseUrl);
    if (hour === 9.5)
      await putToken(setup, arn, togai.mintToken(Math.floor(now / 1000)), togai.baseUrl);
    outage = hour === 12;
    await Promise.all(
      consumers.map(async (consumer, c) => {
        if (tick > 0 && (tick + c) % 12 === 0) {
          await live[c].client.close();
          live[c] = consumer.start();
        }
        const { buffer } = live[c];
        for (const event of consumer.pending.splice(0)) buffer.add(event);
        if (tick < TICKS) {
          for (let i = 0; i < EVENTS_PER_TICK; i++) {
            buffer.add({
              schemaName: "api_calls",
              timestamp: new Date(now).toISOString(),
              accountId: `acct-${c}`,
              attributes: [{ name: "calls", value: "1" }],
              dimensions: { seq: `${c}-${consumer.seq++}` },
            });
          }
        }
        const { failed } = await buffer.flush();
        for (const f of failed) {
          if (f.reason.includes("rejected the token") && !live[c].metRejected) {
            live[c].metRejected = true;
            withRejected++;
          }
          if (f.retryable) consumer.pending.push(f.event);
        }
      }),
    );
  }
  fake.uninstall();
  for (const c of live) await c.client.close();
  for (const c of consumers) c.sm.destroy();
  setup.destroy();

  const idsBySeq = new Map<string, Set<string>>();
  for (const e of togai.events as Array<{ id: string; dimensions: { seq: string } }>) {
    const ids = idsBySeq.get(e.dimensions.seq) ?? new Set<string>();
    ids.add(e.id);
    idsBySeq.set(e.dimensions.seq, ids);
  }
  const created = consumers.reduce((n, c) => n + c.seq, 0);
  const result: SoakResult = {
    eventsCreated: created,
    eventsRecorded: idsBySeq.size,
    lost: created - idsBySeq.size,
    billedTwice: [...idsBySeq.values()].filter((ids) => ids.size > 1).length,
    repeatedIdDeliveries: togai.repeatedIdDeliveries,
    expiredTokenRequests: togai.calls.expiredToken,
    rejectedTokenRequests: togai.calls.rejected,
    incarnationsWithRejectedToken: withRejected,
    readsPerConsumer: reads.reduce((a, b) => a + b, 0) / CONSUMERS,
    maxReadsPerConsumer: Math.max(...reads),
    togaiRequests: togai.calls.ingestBatch,
    seconds: (Date.now() - started) / 1000,
  };
  await togai.close();
  return result;
}
