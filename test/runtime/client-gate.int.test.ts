/**
 * The token gate under slow answers and a token Togai stops accepting, against the stand-in.
 * Invariants: no call waits on another call's retries (a call ends within its own retry budget
 * plus one request, or as soon as its signal aborts); once Togai answered 401 to a token, requests
 * still waiting for a connection do not go out with it, so at most `connections` requests (those
 * already on the wire) carry it, plus the one retry after re-reading the secret.
 */
import { TogaiClientClosedError, TogaiTokenRejectedError } from "../../lib/runtime/errors";
import { TogaiNetworkError } from "../../lib/togai/errors";
import { putToken } from "../support/aws-fixtures";
import { useServers } from "../support/servers";
import { clientFor, event, failureOf } from "./client-harness";

// Rejections are counted here, so the stand-in's IP throttle and per-second quotas (a 429 to a
// new token backs off, see client-throttle.int.test.ts) are set out of the way.
const h = useServers({ secretKeys: [], unauthenticatedLimit: 10_000, rateLimits: false });

test("a new token whose first request times out: 6 callers each end within their own budget", async () => {
  const timeoutMs = 300;
  const maxRetryTimeMs = 1_000;
  const { client } = await clientFor(h, { timeoutMs, maxRetryTimeMs });
  h.togai.inject({ path: "/ingest", kind: "slow", delayMs: 5_000, times: 100 });

  const started = Date.now();
  const took = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      failureOf(client.ingest(event(i))).then((error) => ({ error, ms: Date.now() - started })),
    ),
  );

  // Before: the probe held the others for its whole retry loop, the 6th failed after 5.8 s.
  for (const { error, ms } of took) {
    expect(error.cause).toBeInstanceOf(TogaiNetworkError); // retryable: no answer, or none in time
    expect(ms).toBeLessThan(maxRetryTimeMs + 2 * timeoutMs + 500);
  }
  await client.close();
});

test("a caller waiting for a new token's first answer stops at once when its signal aborts", async () => {
  const answers: number[] = [];
  const { client } = await clientFor(h, {
    timeoutMs: 3_000,
    maxRetryTimeMs: 1_000,
    onRequest: (info) => answers.push(info.status),
  });
  h.togai.inject({ path: "/ingest", kind: "slow", delayMs: 2_000, times: 1 });
  const probe = client.ingest(event(1)); // sends first, answered after 2 s
  const controller = new AbortController();
  const waiter = client.ingest(event(2), { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);

  const error = await failureOf(waiter);
  const answeredBeforeAbortReturned = answers.length;

  expect(error.cause).toMatchObject({ name: "AbortError" });
  expect(answeredBeforeAbortReturned).toBe(0); // it did not wait for the probe's answer
  expect(await probe).toBe("evt-1");
  expect(h.togai.idsSeen.get("evt-2")).toBeUndefined();
  await client.close();
});

test("a 5xx to a new token's first request lets the waiting callers go at once", async () => {
  const statuses: number[] = [];
  const { client } = await clientFor(h, { onRequest: (info) => statuses.push(info.status) });
  h.togai.inject({ path: "/ingest", kind: "status", status: 503, times: 1 });

  const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => client.ingest(event(i))));

  expect(ids).toHaveLength(10);
  expect(statuses[0]).toBe(503); // the probe's answer; the 9 others did not wait for its retry
  expect(statuses.indexOf(202)).toBe(1);
  expect(statuses.filter((s) => s === 202)).toHaveLength(10);
  await client.close();
});

test("Togai revokes an accepted token with 50 calls in flight: at most `connections` 401s, then the new token", async () => {
  const connections = 4;
  const { client, arn, gets } = await clientFor(h, { connections });
  await client.ingest(event(1000));
  const old = h.togai.issuedTokens.at(-1) as string;
  await putToken(h.secrets, arn, h.togai.mintToken(), h.togai.baseUrl);
  h.togai.revoke(old);
  const rejectedBefore = h.togai.calls.rejected;

  const ids = await Promise.all(
    Array.from({ length: 50 }, (_, i) => client.ingest(event(i + 5_000))),
  );

  // Before: 51 of 50 calls' requests got 401 (those queued went out after the first 401).
  expect(ids).toHaveLength(50);
  expect(h.togai.calls.rejected - rejectedBefore).toBeLessThanOrEqual(connections);
  expect(gets()).toBe(2); // the first read and one shared re-read
  for (const id of ids) expect(h.togai.idsSeen.get(id)).toBe(1);
  await client.close();
});

test("a revoked token and no new one in the secret: connections + 1 rejected requests, then fast typed failures", async () => {
  const connections = 4;
  const { client } = await clientFor(h, { connections, tokenRecheckMs: 60_000 });
  await client.ingest(event(1000));
  h.togai.revoke(h.togai.issuedTokens.at(-1) as string);
  const rejectedBefore = h.togai.calls.rejected;

  const errors = await Promise.all(
    Array.from({ length: 50 }, (_, i) => failureOf(client.ingest(event(i)))),
  );
  const later = await failureOf(client.ingest(event(99)));

  expect(h.togai.calls.rejected - rejectedBefore).toBeLessThanOrEqual(connections + 1);
  for (const error of [...errors, later]) {
    expect(error.cause).toBeInstanceOf(TogaiTokenRejectedError);
  }
  await client.close();
});

test("close() is final: a later call throws TogaiClientClosedError and sends nothing", async () => {
  const { client } = await clientFor(h);
  await client.ingest(event(1));
  await client.close();
  const before = h.togai.calls.ingest + h.togai.calls.ingestBatch;

  await expect(client.ingest(event(2))).rejects.toBeInstanceOf(TogaiClientClosedError);
  await expect(client.ingestBatch([event(3)])).rejects.toThrow(/closed: create a new client/);

  expect(h.togai.calls.ingest + h.togai.calls.ingestBatch).toBe(before);
});
