/**
 * The buffer's state machine (delay timer, drains, callbacks, ids held) on fake timers, with a
 * client whose batch requests the test settles itself: no server, no real sleep.
 * Invariants: one id, one event held at a time (as `ingestBatch` refuses one id twice in a call);
 * nothing `onFailure` does can reject unhandled or lose the flush result; an `await flush()`
 * covers every event added before the call.
 */
import FakeTimers from "@sinonjs/fake-timers";
import type { BatchOutcome } from "../../lib/runtime/batch-outcome";
import type { TogaiClient } from "../../lib/runtime/client";
import { InvalidEventError } from "../../lib/runtime/errors";
import { TogaiEventBuffer } from "../../lib/runtime/event-buffer";
import type { TogaiEvent } from "../../lib/runtime/event-validation";

/** A client stand-in: each batch request waits until the test answers it. */
class ScriptedClient {
  readonly batches: Array<{ ids: string[]; answer: (outcome: BatchOutcome) => void }> = [];
  sendPrepared(events: ReadonlyArray<TogaiEvent>): Promise<BatchOutcome> {
    return new Promise((answer) =>
      this.batches.push({ ids: events.map((e) => e.id as string), answer }),
    );
  }
  asClient(): TogaiClient {
    return this as unknown as TogaiClient;
  }
}

function event(id: string | undefined, accountId = "acct-1"): TogaiEvent {
  return {
    id,
    schemaName: "api_calls",
    timestamp: "2026-11-28T08:00:00Z",
    accountId,
    attributes: [{ name: "calls", value: "1" }],
    dimensions: {},
  };
}

let clock: ReturnType<typeof FakeTimers.install>;
beforeEach(() => {
  clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "Date"] });
});
afterEach(() => clock.uninstall());

test.each([
  ["maxBatchDelayMs", { maxBatchDelayMs: 1000 }],
  ["the deprecated maxDelayMs", { maxDelayMs: 1000 }],
])("a partial batch goes out after %s, not before", async (_, delay) => {
  const client = new ScriptedClient();
  const buffer = new TogaiEventBuffer({ client: client.asClient(), ...delay });
  buffer.add(event("a"));

  await clock.tickAsync(999);
  expect(client.batches).toHaveLength(0);
  await clock.tickAsync(1);

  expect(client.batches.map((b) => b.ids)).toEqual([["a"]]);
  client.batches[0].answer({ failed: [] });
  expect(await buffer.flush()).toEqual({ accepted: 1, failed: [] });
});

test("an out-of-range delay is refused under the name it was given", () => {
  const client = new ScriptedClient().asClient();
  expect(() => new TogaiEventBuffer({ client, maxBatchDelayMs: -1 })).toThrow(
    "maxBatchDelayMs must be a whole number from 0 to 3600000, got -1",
  );
  expect(() => new TogaiEventBuffer({ client, maxDelayMs: 1.5 })).toThrow(
    "maxDelayMs must be a whole number from 0 to 3600000, got 1.5",
  );
});

test("an id already waiting or in flight is refused by add(), naming the id; the first event is billed alone", async () => {
  const client = new ScriptedClient();
  const buffer = new TogaiEventBuffer({ client: client.asClient(), maxBatchDelayMs: 1000 });
  buffer.add(event("acct-1:2026-11", "acct-1"));

  // Waiting: both would go out in one batch and both would count as accepted.
  expect(() => buffer.add(event("acct-1:2026-11", "acct-2"))).toThrow(InvalidEventError);
  expect(() => buffer.add(event("acct-1:2026-11"))).toThrow(/id "acct-1:2026-11"/);
  await clock.tickAsync(1000);
  // In flight: the same.
  expect(() => buffer.add(event("acct-1:2026-11"))).toThrow(InvalidEventError);

  client.batches[0].answer({ failed: [] });
  const result = await buffer.flush();

  expect(result).toEqual({ accepted: 1, failed: [] });
  expect(client.batches.map((b) => b.ids)).toEqual([["acct-1:2026-11"]]);
});

test("a failed event can be added again with its id (the retry), once", async () => {
  const client = new ScriptedClient();
  const buffer = new TogaiEventBuffer({ client: client.asClient(), maxBatchDelayMs: 10 });
  buffer.add(event("e-1"));
  await clock.tickAsync(10);
  client.batches[0].answer({ failed: [{ index: 0, reason: "HTTP 503", retryable: true }] });
  const first = await buffer.flush();
  expect(first.failed.map((f) => f.id)).toEqual(["e-1"]);

  buffer.add(first.failed[0].event);
  expect(() => buffer.add(first.failed[0].event)).toThrow(InvalidEventError);
  const second = buffer.flush();
  await clock.tickAsync(0);
  client.batches[1].answer({ failed: [] });

  expect(await second).toEqual({ accepted: 1, failed: [] });
});

test("an onFailure that rejects (or throws) is caught and reported once as a warning; flush still resolves to the failures", async () => {
  const emitWarning = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const client = new ScriptedClient();
    let calls = 0;
    const buffer = new TogaiEventBuffer({
      client: client.asClient(),
      maxBatchSize: 1,
      onFailure: async () => {
        calls++;
        if (calls === 1) throw new Error("dead-letter queue unavailable");
        throw new Error("dead-letter queue still unavailable");
      },
    });
    buffer.add(event("x-1"));
    buffer.add(event("x-2"));
    const flushed = buffer.flush();
    await clock.tickAsync(0);
    for (const batch of client.batches) {
      batch.answer({ failed: [{ index: 0, reason: "HTTP 400", retryable: false }] });
    }

    const result = await flushed;
    await clock.runAllAsync(); // lets the rejections settle

    expect(result.failed.map((f) => f.id)).toEqual(["x-1", "x-2"]);
    expect(calls).toBe(2);
    expect(unhandled).toEqual([]);
    expect(emitWarning.mock.calls.map(([message]) => message)).toEqual([
      expect.stringContaining("onFailure failed (Error: dead-letter queue unavailable)"),
      expect.stringContaining("onFailure failed (Error: dead-letter queue still unavailable)"),
    ]);
  } finally {
    emitWarning.mockRestore();
    process.off("unhandledRejection", onUnhandled);
  }
});

test("a flush() called while the previous drain is finishing covers an event added just before it", async () => {
  // Walk the call across every microtask of the end of a drain.
  for (let hops = 0; hops < 12; hops++) {
    const client = new ScriptedClient();
    const buffer = new TogaiEventBuffer({ client: client.asClient(), maxBatchDelayMs: 1000 });
    buffer.add(event(`first-${hops}`));
    const first = buffer.flush();
    await clock.tickAsync(0);
    client.batches[0].answer({ failed: [] });
    for (let i = 0; i < hops; i++) await Promise.resolve();
    buffer.add(event(`late-${hops}`));
    const second = buffer.flush();
    await clock.tickAsync(0);
    for (const batch of client.batches.slice(1)) batch.answer({ failed: [] });

    const [a, b] = await Promise.all([first, second]);

    expect({ hops, size: buffer.size }).toEqual({ hops, size: 0 });
    expect({ hops, sent: client.batches.flatMap((x) => x.ids) }).toEqual({
      hops,
      sent: [`first-${hops}`, `late-${hops}`],
    });
    // The late event is counted once: in the shared result, or in the second flush's own.
    expect({ hops, total: a === b ? a.accepted : a.accepted + b.accepted }).toEqual({
      hops,
      total: 2,
    });
  }
});

test("a flush() with nothing pending does not hold on to its result: the next flush() sends what was added", async () => {
  const client = new ScriptedClient();
  const buffer = new TogaiEventBuffer({ client: client.asClient(), maxBatchDelayMs: 60_000 });
  expect(await buffer.flush()).toEqual({ accepted: 0, failed: [] });

  buffer.add(event("after-empty-flush"));
  const second = buffer.flush();
  await clock.tickAsync(0);
  for (const batch of client.batches) batch.answer({ failed: [] });

  expect(await second).toEqual({ accepted: 1, failed: [] });
  expect(client.batches.map((b) => b.ids)).toEqual([["after-empty-flush"]]);
});
