/**
 * TogaiEventBuffer's bounds (full batches, concurrency, a full buffer, room, a fatal answer,
 * close) on fake timers, with a client whose batch requests the test answers itself.
 * Invariants: a full batch goes out without waiting for the delay; at most
 * `maxConcurrentRequests` batches are in flight; the buffer never holds more than
 * `maxBufferedEvents`, and `whenRoom()` never waits for room that cannot come back; after a fatal
 * answer what still waits is reported, not sent. event-buffer-timers.test.ts covers the delay
 * timer, ids and callbacks; event-buffer.int.test.ts runs the buffer over HTTP.
 */
import FakeTimers from "@sinonjs/fake-timers";
import type { BatchOutcome } from "../../lib/runtime/batch-outcome";
import type { TogaiClient } from "../../lib/runtime/client";
import { TogaiBufferClosedError, TogaiBufferFullError } from "../../lib/runtime/errors";
import { TogaiEventBuffer } from "../../lib/runtime/event-buffer";
import type { TogaiEventBufferOptions } from "../../lib/runtime/event-buffer-options";
import type { TogaiEvent } from "../../lib/runtime/event-validation";
import { TogaiApiError } from "../../lib/togai/errors";
import { track } from "./scripted-transport";

/** A client stand-in: each batch request waits until the test answers it. */
class ScriptedClient {
  readonly batches: Array<{ ids: string[]; answer: (outcome: BatchOutcome) => void }> = [];
  sendPrepared(events: ReadonlyArray<TogaiEvent>): Promise<BatchOutcome> {
    return new Promise((answer) =>
      this.batches.push({ ids: events.map((e) => e.id as string), answer }),
    );
  }
}

function event(id: string): TogaiEvent {
  return {
    id,
    schemaName: "api_calls",
    timestamp: "2026-11-28T08:00:00Z",
    accountId: "acct-1",
    attributes: [{ name: "calls", value: "1" }],
    dimensions: {},
  };
}

let clock: ReturnType<typeof FakeTimers.install>;
beforeEach(() => {
  clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "Date"] });
});
afterEach(() => clock.uninstall());

function bufferWith(options: Omit<TogaiEventBufferOptions, "client">) {
  const client = new ScriptedClient();
  const buffer = new TogaiEventBuffer({
    client: client as unknown as TogaiClient,
    maxBatchDelayMs: 1_000,
    ...options,
  });
  return { client, buffer };
}

const failAll = (count: number): BatchOutcome => ({
  failed: Array.from({ length: count }, (_, index) => ({ index, reason: "503", retryable: true })),
});

test("a full batch goes out at once, not after the delay; at most maxConcurrentRequests are in flight", async () => {
  const { client, buffer } = bufferWith({ maxBatchSize: 2, maxConcurrentRequests: 2 });
  for (const id of ["a", "b", "c", "d", "e", "f"]) buffer.add(event(id));

  await clock.tickAsync(0);
  expect(client.batches.map((b) => b.ids)).toEqual([
    ["a", "b"],
    ["c", "d"],
  ]);
  client.batches[0].answer({ failed: [] });
  await clock.tickAsync(0);

  expect(client.batches.map((b) => b.ids)[2]).toEqual(["e", "f"]);
  expect(buffer.size).toBe(4); // two batches in flight
});

test("a full buffer refuses add(); whenRoom() resolves once a batch is answered", async () => {
  const { client, buffer } = bufferWith({ maxBatchSize: 2, maxBufferedEvents: 2 });
  buffer.add(event("a"));
  buffer.add(event("b"));

  expect(buffer.full).toBe(true);
  expect(() => buffer.add(event("c"))).toThrow(TogaiBufferFullError);
  const room = track(buffer.whenRoom());
  await clock.tickAsync(0);
  expect(room.done).toBe(false);

  client.batches[0].answer({ failed: [] });
  await clock.tickAsync(0);

  expect(room).toMatchObject({ done: true });
  expect(room.error).toBeUndefined();
  expect(buffer.full).toBe(false);
  expect(buffer.add(event("c"))).toBe("c");
});

test("full of undelivered events with nothing in flight: whenRoom() rejects instead of waiting forever; flush() makes room", async () => {
  const { client, buffer } = bufferWith({ maxBatchSize: 2, maxBufferedEvents: 2 });
  buffer.add(event("a"));
  buffer.add(event("b"));
  const waiting = track(buffer.whenRoom());
  await clock.tickAsync(0);

  client.batches[0].answer(failAll(2));
  await clock.tickAsync(0);

  expect(waiting.error).toBeInstanceOf(TogaiBufferFullError);
  expect((waiting.error as Error).message).toContain("full of 2 undelivered events");
  await expect(buffer.whenRoom()).rejects.toBeInstanceOf(TogaiBufferFullError);
  const result = await buffer.flush();
  expect(result.failed.map((f) => f.id)).toEqual(["a", "b"]);
  await expect(buffer.whenRoom()).resolves.toBeUndefined();
});

test("after a fatal answer the events still waiting are reported as not sent, and not sent", async () => {
  const { client, buffer } = bufferWith({ maxBatchSize: 2, maxConcurrentRequests: 1 });
  for (const id of ["a", "b", "c", "d", "e"]) buffer.add(event(id));
  const flushed = track(buffer.flush());
  await clock.tickAsync(0);

  const fatal = new TogaiApiError("Togai refused the batch", 400, "/ingestBatch");
  client.batches[0].answer({ ...failAll(2), fatal });
  await clock.tickAsync(0);

  expect(client.batches).toHaveLength(1);
  const result = flushed.value as Awaited<ReturnType<TogaiEventBuffer["flush"]>>;
  expect(result.accepted).toBe(0);
  expect(result.failed.map((f) => [f.id, f.retryable])).toEqual([
    ["a", true],
    ["b", true],
    ["c", true],
    ["d", true],
    ["e", true],
  ]);
  expect(result.failed[2].reason).toBe(
    "not sent: an earlier batch failed with Togai refused the batch",
  );
});

test("close() flushes what is held, then add() throws TogaiBufferClosedError", async () => {
  const { client, buffer } = bufferWith({});
  buffer.add(event("a"));
  const closed = track(buffer.close());
  await clock.tickAsync(0);
  client.batches[0].answer({ failed: [] });
  await clock.tickAsync(0);

  expect(closed.value).toEqual({ accepted: 1, failed: [] });
  expect(() => buffer.add(event("b"))).toThrow(TogaiBufferClosedError);
});
