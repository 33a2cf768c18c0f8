/**
 * The token gate and the request slots, on fake timers: no server, no real sleep.
 * Invariants: one request at a time with a token not yet answered; a 429 to it backs the whole
 * client off (doubling from the recheck interval, or Togai's Retry-After), and a caller whose
 * budget ends before the back-off fails at once with the time to retry, while one that can wait
 * waits and then probes; a token rejected twice fails calls at once until the secret changes;
 * request slots are handed on first come, first served, and an aborted waiter leaves the queue.
 */
import FakeTimers from "@sinonjs/fake-timers";
import type { TokenSecretValue } from "../../lib/contract";
import { TogaiTokenRejectedError, TogaiTokenThrottledError } from "../../lib/runtime/errors";
import { RequestSlots } from "../../lib/runtime/request-slots";
import { TokenGate } from "../../lib/runtime/token-gate";

let clock: ReturnType<typeof FakeTimers.install>;
beforeEach(() => {
  clock = FakeTimers.install({ now: Date.parse("2026-11-28T08:00:00Z") });
});
afterEach(() => clock.uninstall());

/** A token source whose secret the test changes; counts forced re-reads. */
function tokens(token = "tok-1") {
  const source = {
    secret: { token, apiBaseUrl: "http://127.0.0.1:1", expiresAt: "", issuedAt: "" },
    refreshes: 0,
    getTokenSecret: async (): Promise<TokenSecretValue> => source.secret,
    forceRefresh: async () => {
      source.refreshes++;
      return source.secret.token;
    },
  };
  return source;
}

const gateFor = (source: ReturnType<typeof tokens>) =>
  new TokenGate(source, Date.now, 1_000, 30_000, 300_000, 20_000);

/** Settles of a promise, read without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error) => Object.assign(state, { error, done: true }),
  );
  return state;
}

test("a new token goes out with one request; the others wait for its first answer, then send", async () => {
  const gate = gateFor(tokens());
  const deadline = Date.now() + 30_000;
  const first = await gate.acquire(undefined, deadline);
  const second = track(gate.acquire(undefined, deadline));
  await clock.tickAsync(5_000);

  expect(first.probe).toBeGreaterThan(0);
  expect(second.done).toBe(false);
  gate.pass(first.probe, first.secret.token);
  await clock.tickAsync(0);

  expect(second).toMatchObject({ done: true, value: { probe: 0 } });
  expect(gate.sendable("tok-1")).toBe(true);
});

test("429 to the probe: a caller whose budget ends first fails at once with retryAt; one that can wait probes after the back-off, which doubles", async () => {
  const gate = gateFor(tokens());
  const started = Date.now();
  const probe = await gate.acquire(undefined, started + 30_000);
  gate.throttle(probe.probe, undefined); // back-off 1 s (tokenRecheckMs)

  const hurried = await gate.acquire(undefined, started + 500).catch((e: unknown) => e);
  const patient = track(gate.acquire(undefined, started + 30_000));
  await clock.tickAsync(999);
  expect(patient.done).toBe(false);
  await clock.tickAsync(1);

  expect(hurried).toBeInstanceOf(TogaiTokenThrottledError);
  expect((hurried as TogaiTokenThrottledError).retryAt).toBe(
    new Date(started + 1_000).toISOString(),
  );
  expect((hurried as Error).message).toContain("beyond this call's maxRetryTimeMs");
  expect(patient.done).toBe(true);
  const again = patient.value as { probe: number };
  expect(again.probe).toBeGreaterThan(0);

  gate.throttle(again.probe, undefined); // second 429: 2 s
  const next = track(gate.acquire(undefined, Date.now() + 30_000));
  await clock.tickAsync(1_999);
  expect(next.done).toBe(false);
  await clock.tickAsync(1);
  expect(next.done).toBe(true);
});

test("a Retry-After above maxRetryAfterMs fails every caller at once, saying so", async () => {
  const gate = gateFor(tokens());
  const probe = await gate.acquire(undefined, Date.now() + 60_000);
  gate.throttle(probe.probe, 30_000);

  const error = (await gate
    .acquire(undefined, Date.now() + 60_000)
    .catch((e: Error) => e)) as Error;

  expect(error).toBeInstanceOf(TogaiTokenThrottledError);
  expect(error.message).toContain("Togai asked to retry after 30 s, above maxRetryAfterMs 20000");
});

test("a token rejected twice fails calls at once, re-reading the secret at most once per doubling interval, until it changes", async () => {
  const source = tokens();
  const gate = gateFor(source);
  const probe = await gate.acquire(undefined, Date.now() + 30_000);
  gate.refused(probe.probe, "tok-1");

  await expect(gate.acquire(undefined, Date.now() + 30_000)).rejects.toBeInstanceOf(
    TogaiTokenRejectedError,
  );
  expect(source.refreshes).toBe(0);
  await clock.tickAsync(1_000);
  await expect(gate.acquire(undefined, Date.now() + 30_000)).rejects.toBeInstanceOf(
    TogaiTokenRejectedError,
  );
  expect(source.refreshes).toBe(1);
  await clock.tickAsync(1_000); // the next re-read is due 2 s after the last
  await expect(gate.acquire(undefined, Date.now() + 30_000)).rejects.toBeInstanceOf(
    TogaiTokenRejectedError,
  );
  expect(source.refreshes).toBe(1);

  source.secret = { ...source.secret, token: "tok-2" };
  await clock.tickAsync(1_000);
  const fresh = await gate.acquire(undefined, Date.now() + 30_000);
  expect(fresh).toMatchObject({ secret: { token: "tok-2" } });
  expect(fresh.probe).toBeGreaterThan(0);
});

test("request slots: the third waits, slots are handed on in order, an aborted waiter leaves the queue", async () => {
  const slots = new RequestSlots(2);
  await slots.acquire();
  await slots.acquire();
  const controller = new AbortController();
  const aborted = track(slots.acquire(controller.signal));
  const third = track(slots.acquire());
  const fourth = track(slots.acquire());

  controller.abort(new Error("caller gave up"));
  await clock.tickAsync(0);
  slots.release();
  await clock.tickAsync(0);

  expect(aborted).toMatchObject({ done: true, error: new Error("caller gave up") });
  expect(third.done).toBe(true);
  expect(fourth.done).toBe(false);
  slots.release();
  await clock.tickAsync(0);
  expect(fourth.done).toBe(true);
});
