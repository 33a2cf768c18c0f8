/**
 * IngestSender (retries, Retry-After, the token gate, request slots, close) on fake timers, over a
 * scripted Togai in place of the socket pool. Invariants: the payload is the same on every
 * attempt; no retry sooner than Togai's Retry-After, which holds back every call; no wait past
 * `maxRetryAfterMs` or the call's `maxRetryTimeMs` (fail at once, saying when to retry); a token
 * refused twice is not sent again; a request queued behind a 401 does not go out with that token.
 */
import FakeTimers from "@sinonjs/fake-timers";
import { resolveClientOptions, type TogaiClientOptions } from "../../lib/runtime/client-options";
import {
  TogaiClientClosedError,
  TogaiTokenRejectedError,
  TogaiTokenThrottledError,
} from "../../lib/runtime/errors";
import { IngestSender } from "../../lib/runtime/ingest-sender";
import {
  TogaiApiError,
  TogaiNetworkError,
  TogaiRateLimitError,
  TogaiServerError,
} from "../../lib/togai/errors";
import { scriptedTokens, togai, track } from "./scripted-transport";

jest.mock("../../lib/runtime/pool-transport", () => jest.requireActual("./scripted-transport"));

let clock: ReturnType<typeof FakeTimers.install>;
beforeEach(() => {
  clock = FakeTimers.install({ now: Date.parse("2026-11-28T08:00:00Z") });
  togai.reset();
});
afterEach(() => clock.uninstall());

/** A sender with no jitter (random 0: half the backoff bound), and its request log. */
function senderFor(options: Partial<TogaiClientOptions> = {}, tokens = scriptedTokens()) {
  const attempts: Array<{ status: number; attempt: number }> = [];
  const sender = new IngestSender(
    resolveClientOptions({
      tokens,
      onRequest: ({ status, attempt }) => attempts.push({ status, attempt }),
      ...options,
    }),
    Date.now,
    () => 0,
  );
  return { sender, tokens, attempts };
}

const payload = { event: { id: "evt-1" } };

test("5xx is retried after the jittered backoff with the same payload, until Togai accepts", async () => {
  const { sender, attempts } = senderFor();
  togai.next({ status: 503 }, { status: 500 });

  const call = track(sender.send("/ingest", payload));
  await clock.tickAsync(49); // first retry: half of the 100 ms bound
  expect(togai.sent).toHaveLength(1);
  await clock.tickAsync(1);
  expect(togai.sent).toHaveLength(2);
  await clock.tickAsync(100);

  expect(call).toMatchObject({ done: true, value: { status: 202 } });
  expect(togai.sent.map((r) => r.body)).toEqual([payload, payload, payload]);
  expect(attempts).toEqual([
    { status: 503, attempt: 1 },
    { status: 500, attempt: 2 },
    { status: 202, attempt: 3 },
  ]);
  expect(sender.requests).toBe(3);
});

test("after maxAttempts the last error is thrown; a 400 is not retried", async () => {
  const { sender } = senderFor({ maxAttempts: 2 });
  togai.next({ status: 500 }, { status: 502 });
  const call = sender.send("/ingest", payload).catch((e: unknown) => e);
  await clock.tickAsync(1_000);
  const error = await call;
  expect(error).toBeInstanceOf(TogaiServerError);
  expect((error as TogaiServerError).status).toBe(502);
  expect(togai.sent).toHaveLength(2);

  togai.next({ status: 400, body: { message: "bad schema" } });
  const refused = await sender.send("/ingest", payload).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(TogaiApiError);
  expect((refused as Error).message).toContain("bad schema");
  expect(togai.sent).toHaveLength(3);
});

test("a network error is retried (and says nothing about the token)", async () => {
  const { sender, attempts } = senderFor();
  const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  togai.next({ error: reset });

  const call = track(sender.send("/ingest", payload));
  await clock.tickAsync(50);

  expect(call).toMatchObject({ done: true, value: { status: 202 } });
  expect(attempts.map((a) => a.status)).toEqual([0, 202]);
});

test("Retry-After is a floor for the retry and holds back every other call until it ends", async () => {
  const { sender } = senderFor();
  await sender.send("/ingest", payload); // the token passed
  togai.next({ status: 429, retryAfter: "2" });

  const first = track(sender.send("/ingest", payload));
  await clock.tickAsync(0);
  const second = track(sender.send("/ingest", payload));
  await clock.tickAsync(1_999);
  expect(togai.sent).toHaveLength(2);
  await clock.tickAsync(1);

  expect(first).toMatchObject({ done: true, value: { status: 202 } });
  expect(second).toMatchObject({ done: true, value: { status: 202 } });
  expect(togai.sent).toHaveLength(4);
});

test("a Retry-After above maxRetryAfterMs is not waited for: the call and later ones fail at once with retryAt", async () => {
  const { sender } = senderFor({ maxRetryAfterMs: 5_000 });
  await sender.send("/ingest", payload);
  togai.next({ status: 429, retryAfter: "60" });

  const error = (await sender.send("/ingest", payload).catch((e: unknown) => e)) as
    | TogaiRateLimitError
    | undefined;
  const later = (await sender.send("/ingest", payload).catch((e: unknown) => e)) as
    | TogaiRateLimitError
    | undefined;

  expect(error).toBeInstanceOf(TogaiRateLimitError);
  expect(error?.message).toContain("Togai asked to retry after 60 s, above maxRetryAfterMs 5000");
  expect(error?.retryAfterMs).toBe(60_000);
  expect(error?.retryAt).toBe(new Date(Date.now() + 60_000).toISOString());
  expect(later).toBeInstanceOf(TogaiRateLimitError);
  expect(later?.message).toContain("Not sent: Togai asked not to send before");
  expect(togai.sent).toHaveLength(2); // the later call made no request
});

test("a Retry-After past the call's maxRetryTimeMs fails it at once, as the same kind of error", async () => {
  const { sender } = senderFor({ maxRetryTimeMs: 1_000 });
  await sender.send("/ingest", payload);
  togai.next({ status: 503, retryAfter: "3" });

  const error = await sender.send("/ingest", payload).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(TogaiServerError);
  expect((error as Error).message).toContain("beyond this call's maxRetryTimeMs 1000");
  expect((error as Error).cause).toBeInstanceOf(TogaiServerError);
  // A later call whose budget ends before the Retry-After fails without a request.
  await expect(sender.send("/ingest", payload)).rejects.toThrow(
    /beyond this call's maxRetryTimeMs 1000/,
  );
  expect(togai.sent).toHaveLength(2);
});

test("a backoff without Retry-After past the budget rethrows Togai's error as is", async () => {
  const { sender } = senderFor({ maxRetryTimeMs: 40 }); // the first retry would wait 50 ms
  togai.next({ status: 500, body: { message: "boom" } });

  const error = await sender.send("/ingest", payload).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(TogaiServerError);
  expect((error as Error).message).toContain("boom");
  expect(togai.sent).toHaveLength(1);
});

test("401: the secret is re-read once and the request retried with the new token", async () => {
  const tokens = scriptedTokens("tok-1");
  const { sender } = senderFor({}, tokens);
  togai.next({ status: 401 });
  tokens.forceRefresh = async () => {
    tokens.refreshes++;
    tokens.secret = { ...tokens.secret, token: "tok-2" };
    return "tok-2";
  };

  const response = await sender.send("/ingest", payload);

  expect(response.status).toBe(202);
  expect(tokens.refreshes).toBe(1);
  expect(togai.sent.map((r) => r.token)).toEqual(["tok-1", "tok-2"]);
});

test("a token refused twice fails with TogaiTokenRejectedError, and later calls fail without a request", async () => {
  const { sender, tokens } = senderFor();
  togai.next({ status: 401 }, { status: 403 });

  const error = await sender.send("/ingest", payload).catch((e: unknown) => e);
  const later = await sender.send("/ingest", payload).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(TogaiTokenRejectedError);
  expect((error as TogaiTokenRejectedError).status).toBe(403);
  expect(later).toBeInstanceOf(TogaiTokenRejectedError);
  expect(tokens.refreshes).toBe(1);
  expect(togai.sent).toHaveLength(2);
});

test("a request queued for a connection does not go out with a token Togai refused meanwhile", async () => {
  const tokens = scriptedTokens("tok-1");
  const { sender } = senderFor({ connections: 1 }, tokens);
  await sender.send("/ingest", payload); // tok-1 passed
  const onWire = togai.hold();
  togai.next(onWire.answer);

  const first = track(sender.send("/ingest", payload));
  await clock.tickAsync(0);
  const queued = track(sender.send("/ingest", payload)); // waits for the only connection
  await clock.tickAsync(0);
  tokens.secret = { ...tokens.secret, token: "tok-2" }; // rotated: the re-read finds tok-2
  onWire.settle({ status: 401 });
  await clock.tickAsync(0);

  expect(first).toMatchObject({ done: true, value: { status: 202 } });
  expect(queued).toMatchObject({ done: true, value: { status: 202 } });
  expect(togai.sent.map((r) => r.token)).toEqual(["tok-1", "tok-1", "tok-2", "tok-2"]);
});

test("429 to a new token: with one attempt the call fails at once with TogaiTokenThrottledError", async () => {
  const { sender } = senderFor({ maxAttempts: 1 });
  togai.next({ status: 429 });

  const error = await sender.send("/ingest", payload).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(TogaiTokenThrottledError);
  expect((error as Error).message).toContain("1 attempts, maxAttempts 1");
});

test("429 to a new token: the call waits for the client's back-off (tokenRecheckMs) and probes again", async () => {
  const { sender } = senderFor({ tokenRecheckMs: 1_000 });
  togai.next({ status: 429 });

  const call = track(sender.send("/ingest", payload));
  await clock.tickAsync(999);
  expect(togai.sent).toHaveLength(1);
  await clock.tickAsync(1);

  expect(call).toMatchObject({ done: true, value: { status: 202 } });
  expect(togai.sent).toHaveLength(2);
});

test("an abort during the retry wait rejects with its reason and sends nothing more", async () => {
  const { sender } = senderFor();
  togai.next({ status: 503 });
  const controller = new AbortController();

  const call = track(sender.send("/ingest", payload, controller.signal));
  await clock.tickAsync(10);
  controller.abort(new Error("caller gave up"));
  await clock.tickAsync(1_000);

  expect(call).toMatchObject({ done: true, error: new Error("caller gave up") });
  expect(togai.sent).toHaveLength(1);
});

test("close(): a request waiting for a connection is not sent, and later sends throw TogaiClientClosedError", async () => {
  const { sender } = senderFor({ connections: 1 });
  await sender.send("/ingest", payload);
  const onWire = togai.hold();
  togai.next(onWire.answer);
  const inFlight = track(sender.send("/ingest", payload));
  await clock.tickAsync(0);
  const queued = track(sender.send("/ingest", payload));
  await clock.tickAsync(0);

  await sender.close();
  onWire.settle({ status: 202 });
  await clock.tickAsync(0);

  expect(inFlight).toMatchObject({ done: true, value: { status: 202 } });
  expect(queued.error).toBeInstanceOf(TogaiClientClosedError);
  expect(() => sender.assertOpen()).toThrow(TogaiClientClosedError);
  await expect(sender.send("/ingest", payload)).rejects.toBeInstanceOf(TogaiClientClosedError);
  expect(togai.sent).toHaveLength(2);
  expect(togai.closed).toBe(1);
});

test("a failure that is not Togai's answer (an unreadable header) is not retried", async () => {
  const { sender } = senderFor();
  togai.next({ error: new TypeError("invalid header value") });

  const error = await sender.send("/ingest", payload).catch((e: unknown) => e);

  expect(error).not.toBeInstanceOf(TogaiNetworkError);
  expect((error as Error).message).toContain("could not be sent (TypeError)");
  expect(togai.sent).toHaveLength(1);
});
