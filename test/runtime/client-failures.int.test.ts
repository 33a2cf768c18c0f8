/**
 * Points 2 and 3: stop on a fatal error, bounded retries. Invariants: after a fatal answer no new
 * request of the call starts, and the error accounts for every event (accepted + failed = all);
 * Retry-After is waited for up to a cap, and a request never retries past maxRetryTimeMs.
 */
import type { TogaiRequestInfo } from "../../lib/runtime/client-options";
import { TogaiIngestError, TogaiTokenThrottledError } from "../../lib/runtime/errors";
import { TogaiRateLimitError } from "../../lib/togai/errors";
import { useServers } from "../support/servers";
import { clientFor, event, failureOf } from "./client-harness";

const h = useServers();

/**
 * A fresh client (its token not yet answered by Togai, so its first request is the probe: a 429
 * to it backs the whole client off, see client-throttle.int.test.ts), with its request record.
 */
async function freshClient(options: Parameters<typeof clientFor>[1] = {}) {
  const rec = recorder();
  const { client } = await clientFor(h, { ...options, onRequest: rec.onRequest });
  return { client, rec };
}

function recorder() {
  const requests: Array<TogaiRequestInfo & { at: number }> = [];
  return {
    requests,
    onRequest: (info: TogaiRequestInfo) => requests.push({ ...info, at: Date.now() }),
  };
}

test("a 400 for one batch stops the call: no new request, every event accounted for by index and id", async () => {
  // The second request is refused as a whole.
  const before = h.togai.calls.ingestBatch;
  let n = 0;
  const rec = recorder();
  const { client: counted } = await clientFor(h, {
    maxBatchSize: 10,
    maxConcurrentRequests: 1,
    onRequest: (info) => {
      rec.onRequest(info);
      if (++n === 1) h.togai.inject({ path: "/ingestBatch", kind: "status", status: 400 });
    },
  });

  const error = (await failureOf(
    counted.ingestBatch(Array.from({ length: 50 }, (_, i) => event(i))),
  )) as TogaiIngestError;

  expect(rec.requests.map((r) => r.status)).toEqual([202, 400]);
  expect(error).toBeInstanceOf(TogaiIngestError);
  expect(h.togai.calls.ingestBatch - before).toBe(2);
  expect(error.accepted.map((a) => a.index)).toEqual([...Array(10).keys()]);
  expect(error.failed.map((f) => f.index)).toEqual([...Array(40).keys()].map((i) => i + 10));
  expect(error.failed[0]).toMatchObject({ id: "evt-10", retryable: false });
  expect(error.failed[10]).toMatchObject({ id: "evt-20", retryable: true });
  expect(error.failed[10].reason).toMatch(/^not sent: the call stopped after .*HTTP 400/);
  expect(error.message).toContain("stopped after");
  await counted.close();
});

test("an abort during a batch call stops it and lists what was accepted", async () => {
  const { client } = await clientFor(h, { maxBatchSize: 5, maxConcurrentRequests: 1 });
  const controller = new AbortController();
  h.togai.inject({ path: "/ingestBatch", kind: "slow", delayMs: 0, times: 2 });
  h.togai.inject({ path: "/ingestBatch", kind: "accept-slow", delayMs: 3000 });
  setTimeout(() => controller.abort(), 500);

  const error = (await failureOf(
    client.ingestBatch(
      Array.from({ length: 30 }, (_, i) => event(i)),
      { signal: controller.signal },
    ),
  )) as TogaiIngestError;

  expect(error).toBeInstanceOf(TogaiIngestError);
  expect(error.accepted).toHaveLength(10);
  expect(error.failed).toHaveLength(20);
  expect(error.failed.every((f) => f.retryable)).toBe(true);
  await client.close();
});

test("429 with Retry-After: 1 to a fresh client's first request waits a second; an HTTP date is honoured too", async () => {
  const { client, rec } = await freshClient();
  h.togai.inject({ path: "/ingest", kind: "status", status: 429, retryAfter: "1" });
  h.togai.inject({
    path: "/ingest",
    kind: "status",
    status: 503,
    retryAfter: new Date(Date.now() + 4000).toUTCString(),
  });

  await client.ingest(event(1));

  const [first, second, third] = rec.requests;
  expect(rec.requests.map((r) => r.status)).toEqual([429, 503, 202]);
  expect(second.at - first.at).toBeGreaterThanOrEqual(990);
  expect(third.at - first.at).toBeGreaterThanOrEqual(2500); // the date has whole seconds
  await client.close();
});

test("a Retry-After above maxRetryAfterMs is not waited for: the typed error says so", async () => {
  const { client, rec } = await freshClient({ maxRetryAfterMs: 5_000 });
  h.togai.inject({ path: "/ingest", kind: "status", status: 429, retryAfter: "30" });

  const error = await failureOf(client.ingest(event(1)));

  expect(error.cause).toBeInstanceOf(TogaiRateLimitError);
  expect(error.cause).toBeInstanceOf(TogaiTokenThrottledError);
  expect(error.message).toContain("Togai asked to retry after 30 s, above maxRetryAfterMs 5000");
  expect(rec.requests).toHaveLength(1);
  await client.close();
});

test("5xx every time: retries stop at maxRetryTimeMs, not later", async () => {
  const rec = recorder();
  const { client } = await clientFor(h, {
    onRequest: rec.onRequest,
    maxAttempts: 100,
    baseDelayMs: 200,
    maxRetryTimeMs: 1_000,
  });
  h.togai.inject({ path: "/ingest", kind: "status", status: 500, times: 100 });

  const started = Date.now();
  const error = await failureOf(client.ingest(event(1)));

  expect(error).toBeInstanceOf(TogaiIngestError);
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(rec.requests.length).toBeGreaterThan(2);
  expect(rec.requests.length).toBeLessThan(8);
  await client.close();
});

// Invariant: while a Retry-After Togai sent has not passed, the client sends nothing more.
test("Retry-After: 30 holds for later calls too: they fail at once without a request", async () => {
  const { client, rec } = await freshClient({ maxRetryAfterMs: 5_000 });
  h.togai.inject({ path: "/ingest", kind: "status", status: 429, retryAfter: "30", times: 100 });

  const errors: Error[] = [];
  for (let i = 0; i < 20; i++) errors.push(await failureOf(client.ingest(event(i))));

  expect(rec.requests).toHaveLength(1);
  expect(errors[19].cause).toBeInstanceOf(TogaiRateLimitError);
  expect(errors[19].cause).toBeInstanceOf(TogaiTokenThrottledError);
  expect(errors[19].message).toContain("sends no request with it before");
  expect(errors[19].message).toContain("Togai asked to retry after 30 s, above maxRetryAfterMs");
  await client.close();
});
