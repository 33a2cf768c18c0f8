/**
 * The token gate's edges on fake timers (token-gate-timers.test.ts covers its main paths): how
 * long a caller waits for the probe, a failed re-read, late answers, aborts. Invariants: no
 * caller waits past its deadline or its signal; a probe that ends without a verdict lets the
 * next caller probe; an answer to an old probe or an old token changes nothing.
 */
import FakeTimers from "@sinonjs/fake-timers";
import { TogaiTokenRejectedError, TogaiTokenThrottledError } from "../../lib/runtime/errors";
import { RequestSlots } from "../../lib/runtime/request-slots";
import { TokenGate } from "../../lib/runtime/token-gate";
import { TogaiNetworkError } from "../../lib/togai/errors";
import { scriptedTokens, track } from "./scripted-transport";

let clock: ReturnType<typeof FakeTimers.install>;
beforeEach(() => {
  clock = FakeTimers.install({ now: Date.parse("2026-11-28T08:00:00Z") });
});
afterEach(() => clock.uninstall());

const gateFor = (source = scriptedTokens()) =>
  new TokenGate(source, Date.now, 1_000, 30_000, 300_000, 20_000);

test("a caller waiting for the probe gives up at its deadline, or at once when it has passed", async () => {
  const gate = gateFor();
  await gate.acquire(undefined, Date.now() + 30_000); // the probe, never answered

  const waiter = track(gate.acquire(undefined, Date.now() + 2_000));
  await clock.tickAsync(1_999);
  expect(waiter.done).toBe(false);
  await clock.tickAsync(1);

  expect(waiter.error).toBeInstanceOf(TogaiNetworkError);
  expect((waiter.error as Error).message).toContain("within this call's maxRetryTimeMs");
  await expect(gate.waitForProbe(undefined, Date.now())).rejects.toBeInstanceOf(TogaiNetworkError);
});

test("a caller waiting for the probe stops when its signal aborts", async () => {
  const gate = gateFor();
  await gate.acquire(undefined, Date.now() + 30_000);
  const controller = new AbortController();

  const waiter = track(gate.acquire(controller.signal, Date.now() + 30_000));
  await clock.tickAsync(10);
  controller.abort(new Error("caller gave up"));
  await clock.tickAsync(0);

  expect(waiter).toMatchObject({ done: true, error: new Error("caller gave up") });
});

test("a probe released without a verdict lets the next caller probe; a stale probe id changes nothing", async () => {
  const gate = gateFor();
  const first = await gate.acquire(undefined, Date.now() + 30_000);
  const second = track(gate.acquire(undefined, Date.now() + 30_000));
  await clock.tickAsync(0);

  gate.release(first.probe);
  await clock.tickAsync(0);
  const next = second.value as { probe: number };
  expect(next.probe).toBeGreaterThan(first.probe);

  gate.pass(first.probe, "tok-1"); // the old probe's late answer
  gate.throttle(first.probe, 5_000);
  expect(gate.sendable("tok-1")).toBe(false);
  gate.pass(next.probe, "tok-1");
  expect(gate.sendable("tok-1")).toBe(true);
});

test("a failed re-read after a 401 ends the probe and rethrows; the next caller probes", async () => {
  const source = scriptedTokens();
  const gate = gateFor(source);
  const probe = await gate.acquire(undefined, Date.now() + 30_000);
  source.forceRefresh = async () => {
    throw new Error("Secrets Manager unreachable");
  };

  expect(gate.onRejected("tok-1", probe.probe)).toBe(probe.probe);
  await expect(gate.reread(probe.probe)).rejects.toThrow("Secrets Manager unreachable");

  const next = await gate.acquire(undefined, Date.now() + 30_000);
  expect(next.probe).toBeGreaterThan(probe.probe);
});

test("onRejected: a late 401 to an older token after a newer one passed needs no re-read; one caller re-reads for all", async () => {
  const source = scriptedTokens("tok-2");
  const gate = gateFor(source);
  const probe = await gate.acquire(undefined, Date.now() + 30_000);
  gate.pass(probe.probe, "tok-2");

  expect(gate.onRejected("tok-1", 0)).toBe(0);
  expect(gate.sendable("tok-2")).toBe(true);

  const rereader = gate.onRejected("tok-2", 0); // tok-2 refused: this caller re-reads
  expect(rereader).toBeGreaterThan(0);
  expect(gate.sendable("tok-2")).toBe(false);
  expect(gate.onRejected("tok-2", 0)).toBe(0); // another caller waits for it
});

test("a caller that can wait for a 429 back-off stops when its signal aborts", async () => {
  const gate = gateFor();
  const probe = await gate.acquire(undefined, Date.now() + 30_000);
  gate.throttle(probe.probe, 3_000);
  const controller = new AbortController();

  const waiter = track(gate.acquire(controller.signal, Date.now() + 30_000));
  await clock.tickAsync(1_000);
  controller.abort(new Error("shutting down"));
  await clock.tickAsync(0);

  expect(waiter).toMatchObject({ done: true, error: new Error("shutting down") });
});

test("a hinted back-off past the caller's budget names Togai's Retry-After in the error", async () => {
  const gate = gateFor();
  const probe = await gate.acquire(undefined, Date.now() + 30_000);
  gate.throttle(probe.probe, 3_000);

  const error = await gate.acquire(undefined, Date.now() + 1_000).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(TogaiTokenThrottledError);
  expect((error as Error).message).toContain(
    "Togai asked to retry after 3 s, beyond this call's maxRetryTimeMs",
  );
});

test("the rejected-token error names when the token was refused only when it was", () => {
  const gate = gateFor();
  expect(gate.rejectedError().message).not.toContain(" since ");
  expect(gate.rejectedError(403, "/ingestBatch")).toMatchObject({
    status: 403,
    path: "/ingestBatch",
  });
  gate.refused(0, "tok-1");
  expect(gate.rejectedError()).toBeInstanceOf(TogaiTokenRejectedError);
  expect(gate.rejectedError().message).toContain(" since 2026-11-28T08:00:00.000Z");
});

test("request slots: an already aborted signal is refused without taking a slot", async () => {
  const slots = new RequestSlots(1);
  const controller = new AbortController();
  controller.abort(new Error("too late"));

  // A rejected promise, as its doc says, not a synchronous throw.
  const refused = slots.acquire(controller.signal);
  await expect(refused).rejects.toThrow("too late");
  await expect(slots.acquire()).resolves.toBeUndefined(); // the one slot is still free
});
