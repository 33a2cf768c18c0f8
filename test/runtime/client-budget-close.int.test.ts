/**
 * The caller's budget and close(), against the Togai stand-in.
 * Invariants: no wait exceeds what remains of `maxRetryTimeMs` (a longer client-wide back-off
 * fails the call at once, without a request, with the retry time); after `close()` nothing is
 * sent and no connection pool is opened again: requests queued for a connection or waiting to
 * retry fail with `TogaiClientClosedError`, requests on the wire complete.
 */
import { TogaiClientClosedError, TogaiIngestError } from "../../lib/runtime/errors";
import { TogaiRateLimitError } from "../../lib/togai/errors";
import { useServers } from "../support/servers";
import { clientFor, event, failureOf } from "./client-harness";

const h = useServers();

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

test("after a Retry-After: 10, a call with maxRetryTimeMs 2000 fails at once without a request, carrying the retry time", async () => {
  const { client } = await clientFor(h, { maxRetryTimeMs: 2_000 });
  await client.ingest(event(1)); // the token passes: a 429 now is a plain rate limit
  h.togai.inject({ path: "/ingest", kind: "status", status: 429, retryAfter: "10" });
  const before = h.togai.calls.ingest;

  const first = await failureOf(client.ingest(event(2)));
  const second = await failureOf(client.ingest(event(3)));
  const answeredAt = Date.now();

  expect(h.togai.calls.ingest - before).toBe(1);
  for (const error of [first, second]) {
    expect(error).toBeInstanceOf(TogaiIngestError);
    const cause = error.cause as TogaiRateLimitError;
    expect(cause).toBeInstanceOf(TogaiRateLimitError);
    expect(cause.retryAfterMs).toBeGreaterThan(2_000);
    expect(Date.parse(cause.retryAt as string)).toBeGreaterThan(answeredAt + 8_000);
  }
  expect(second.message).toContain("beyond this call's maxRetryTimeMs 2000");
  expect(h.togai.idsSeen.get("evt-3")).toBeUndefined();
  await client.close();
});

test("a request waiting to retry when close() runs is not sent: it fails with TogaiClientClosedError", async () => {
  const { client } = await clientFor(h, { baseDelayMs: 400, maxAttempts: 3 });
  await client.ingest(event(1));
  h.togai.inject({ path: "/ingest", kind: "status", status: 503 });
  const before = h.togai.calls.ingest;

  const call = failureOf(client.ingest(event(2)));
  await until(() => h.togai.calls.ingest > before);
  await client.close();
  const error = await call;
  await new Promise((r) => setTimeout(r, 500)); // past the retry delay

  expect(error).toBeInstanceOf(TogaiIngestError);
  expect(error.cause).toBeInstanceOf(TogaiClientClosedError);
  expect((error as TogaiIngestError).failed[0]).toMatchObject({ id: "evt-2", retryable: true });
  expect(h.togai.calls.ingest - before).toBe(1);
});

test("a request queued for a connection when close() runs is not sent; the one on the wire completes", async () => {
  const { client } = await clientFor(h, { connections: 1 });
  await client.ingest(event(1));
  h.togai.inject({ path: "/ingest", kind: "accept-slow", delayMs: 300 });
  const before = h.togai.calls.ingest;

  const onTheWire = client.ingest(event(2));
  const queued = failureOf(client.ingest(event(3)));
  await until(() => h.togai.calls.ingest > before);
  const closed = client.close();

  expect(await onTheWire).toBe("evt-2");
  const error = await queued;
  await closed;
  await new Promise((r) => setTimeout(r, 100));

  expect(error.cause).toBeInstanceOf(TogaiClientClosedError);
  expect(h.togai.calls.ingest - before).toBe(1);
  expect(h.togai.idsSeen.get("evt-3")).toBeUndefined();
});
