/**
 * Togai answers 429 for its per-second quotas, and to every credential from an IP after 5 rejected
 * ones in 30 minutes (the stand-in does the same with its default limit). Invariant: a client
 * sends at most one request per back-off interval with a token Togai has not accepted while it
 * answers 429 to it (the interval doubles while the 429s go on). Calls whose retry budget
 * (maxRetryTimeMs, maxRetryAfterMs) covers the back-off wait for it, abortably, and proceed once
 * the one next request passes; the others fail at once, without a request, with
 * TogaiTokenThrottledError, which says what to check. A token Togai accepts ends the back-off.
 */
import type { TogaiRequestInfo } from "../../lib/runtime/client-options";
import { type TogaiIngestError, TogaiTokenThrottledError } from "../../lib/runtime/errors";
import { putToken } from "../support/aws-fixtures";
import { useServers } from "../support/servers";
import { TogaiStandIn } from "../support/togai-standin";
import { clientFor, event, failureOf } from "./client-harness";

const h = useServers({ secretKeys: [], rateLimits: false });
/** Tokens with a valid shape that the stand-in did not sign: Togai answers 401. */
const foreign = new TogaiStandIn();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("behind a throttled IP, 20 calls with a rejected token and back-offs beyond their budget send 1 request, then 1 per doubling interval", async () => {
  // Three earlier processes, each sending its two rejected requests: the IP is now throttled.
  for (let p = 0; p < 3; p++) {
    const { client, arn } = await clientFor(h, { tokenRecheckMs: 60_000 });
    await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);
    await client.ingest(event(p)).catch(() => undefined);
    await client.close();
  }
  const statuses: number[] = [];
  // Back-offs (300 ms, doubling) longer than each call's retry budget: no call waits for them.
  const { client, arn } = await clientFor(h, {
    tokenRecheckMs: 300,
    maxRetryTimeMs: 100,
    onRequest: (info) => statuses.push(info.status),
  });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);

  const errors: Error[] = [];
  for (let i = 0; i < 20; i++) errors.push(await failureOf(client.ingest(event(i))));

  // Before: 74 requests for these 20 calls.
  expect(statuses).toEqual([429]);
  for (const error of errors) expect(error.cause).toBeInstanceOf(TogaiTokenThrottledError);
  const throttled = errors[19].cause as TogaiTokenThrottledError;
  expect(throttled.message).toContain("cdktf-togai status");
  expect(throttled.message).toContain("5 rejected credentials");
  expect(throttled.message).toContain("beyond this call's maxRetryTimeMs");
  expect(Date.parse(throttled.retryAt)).toBeGreaterThan(Date.now());

  // Time passes: one more request after the interval (300 ms), then the interval doubles.
  await sleep(350);
  await failureOf(client.ingest(event(20)));
  expect(statuses).toEqual([429, 429]);
  await sleep(350); // within the doubled interval (600 ms): no request
  expect((await failureOf(client.ingest(event(21)))).cause).toBeInstanceOf(
    TogaiTokenThrottledError,
  );
  expect(statuses).toEqual([429, 429]);
  await client.close();
});

test("a batch call behind the throttle stops at the first 429 and reports every event as retryable", async () => {
  const statuses: number[] = [];
  const { client, arn } = await clientFor(h, {
    maxBatchSize: 10,
    tokenRecheckMs: 60_000, // above maxRetryAfterMs: not waited for
    onRequest: (info) => statuses.push(info.status),
  });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);

  const error = (await failureOf(
    client.ingestBatch(Array.from({ length: 100 }, (_, i) => event(i + 100))),
  )) as TogaiIngestError;

  expect(statuses).toEqual([429]);
  expect(error.accepted).toHaveLength(0);
  expect(error.failed).toHaveLength(100);
  expect(error.failed.every((f) => f.retryable)).toBe(true);
  await client.close();
});

test("once the secret holds a token Togai accepts, sending resumes after the back-off", async () => {
  const { client, arn, tokens } = await clientFor(h, { tokenRecheckMs: 200, maxRetryTimeMs: 100 });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);
  await failureOf(client.ingest(event(300)));
  // The rotation puts a good token; the provider picks it up on its next read.
  await putToken(h.secrets, arn, h.togai.mintToken(), h.togai.baseUrl);
  await tokens.forceRefresh();
  await sleep(250);

  expect(await client.ingest(event(301))).toBe("evt-301");
  expect(await client.ingest(event(302))).toBe("evt-302");
  await client.close();
});

function recorder() {
  const requests: Array<TogaiRequestInfo & { at: number }> = [];
  return {
    requests,
    onRequest: (info: TogaiRequestInfo) => requests.push({ ...info, at: Date.now() }),
  };
}

// A quota 429 (not a rejected token) to a fresh client's first request must not fail its calls.
test("429 with Retry-After: 1 to a fresh client's first request: 10 concurrent calls wait, one request probes again, all succeed", async () => {
  const rec = recorder();
  const { client } = await clientFor(h, { onRequest: rec.onRequest });
  h.togai.inject({ path: "/ingest", kind: "status", status: 429, retryAfter: "1" });

  const started = Date.now();
  const ids = await Promise.all(
    Array.from({ length: 10 }, (_, i) => client.ingest(event(400 + i))),
  );

  expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `evt-${400 + i}`));
  expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  // The 429, then exactly one request at the end of the back-off, then the 9 others.
  expect(rec.requests.map((r) => r.status)).toEqual([429, ...Array(10).fill(202)]);
  expect(rec.requests[1].at - rec.requests[0].at).toBeGreaterThanOrEqual(990);
  await client.close();
});

test("one call with a new token and 429 (Retry-After: 1): succeeds after about a second with exactly 2 requests", async () => {
  const rec = recorder();
  const { client } = await clientFor(h, { onRequest: rec.onRequest });
  h.togai.inject({ path: "/ingest", kind: "status", status: 429, retryAfter: "1" });

  expect(await client.ingest(event(420))).toBe("evt-420");

  expect(rec.requests.map((r) => r.status)).toEqual([429, 202]);
  expect(rec.requests[1].at - rec.requests[0].at).toBeGreaterThanOrEqual(990);
  await client.close();
});

test("while 429s go on, waiting calls send one request per doubling back-off, then all proceed", async () => {
  const rec = recorder();
  const { client } = await clientFor(h, { tokenRecheckMs: 100, onRequest: rec.onRequest });
  h.togai.inject({ path: "/ingest", kind: "status", status: 429, times: 3 });

  await Promise.all(Array.from({ length: 8 }, (_, i) => client.ingest(event(430 + i))));

  const statuses = rec.requests.map((r) => r.status);
  expect(statuses).toEqual([429, 429, 429, ...Array(8).fill(202)]);
  const gaps = [1, 2, 3].map((k) => rec.requests[k].at - rec.requests[k - 1].at);
  // Back-offs of 100, 200, 400 ms (timer granularity: a few ms early at most).
  expect(gaps[0]).toBeGreaterThanOrEqual(95);
  expect(gaps[1]).toBeGreaterThanOrEqual(195);
  expect(gaps[2]).toBeGreaterThanOrEqual(395);
  await client.close();
});

test("a call waiting for the back-off stops at once when its signal aborts, without a request", async () => {
  const rec = recorder();
  const { client } = await clientFor(h, { onRequest: rec.onRequest });
  h.togai.inject({ path: "/ingest", kind: "status", status: 429, retryAfter: "5" });
  const first = failureOf(client.ingest(event(440), { signal: AbortSignal.timeout(300) }));
  const controller = new AbortController();
  const second = failureOf(client.ingest(event(441), { signal: controller.signal }));
  setTimeout(() => controller.abort(new Error("caller gave up")), 150);

  const started = Date.now();
  const [a, b] = await Promise.all([first, second]);

  expect(Date.now() - started).toBeLessThan(4_000); // not the 5 s back-off
  expect(rec.requests.map((r) => r.status)).toEqual([429]);
  expect(String(a.cause ?? a)).toMatch(/TimeoutError|aborted|timeout/i);
  expect(String(b.cause ?? b)).toContain("caller gave up");
  await client.close();
});
