/**
 * Point 7, the buffered producer, against the Togai stand-in with tokens from moto_server.
 * Invariant of every test: each added event is either accepted by Togai or returned by flush()
 * (and passed to onFailure), never both and never neither; memory stays within maxBufferedEvents.
 */
import {
  InvalidEventError,
  TogaiBufferClosedError,
  TogaiBufferFullError,
} from "../../lib/runtime/errors";
import { TogaiEventBuffer, type UndeliveredEvent } from "../../lib/runtime/event-buffer";
import { useServers } from "../support/servers";
import { clientFor, event } from "./client-harness";

const h = useServers();

test("1,234 events go out in batches of 500; flush resolves once all were accepted", async () => {
  const { client } = await clientFor(h);
  const buffer = new TogaiEventBuffer({ client });
  const before = h.togai.calls.ingestBatch;

  const ids = Array.from({ length: 1234 }, (_, i) => buffer.add(event(i, { id: undefined })));
  const result = await buffer.flush();

  expect(result).toEqual({ accepted: 1234, failed: [] });
  expect(h.togai.calls.ingestBatch - before).toBe(3);
  for (const id of ids) expect(h.togai.idsSeen.get(id)).toBe(1);
  await client.close();
});

test("a partial batch goes out after maxBatchDelayMs without a flush", async () => {
  const { client } = await clientFor(h);
  const buffer = new TogaiEventBuffer({ client, maxBatchDelayMs: 50 });
  const id = buffer.add(event(1, { id: undefined }));

  await new Promise((r) => setTimeout(r, 300));

  expect(h.togai.idsSeen.get(id)).toBe(1);
  expect(await buffer.flush()).toEqual({ accepted: 1, failed: [] });
  await client.close();
});

test("back-pressure: add throws when full, whenRoom resolves once batches went out", async () => {
  const { client } = await clientFor(h);
  const buffer = new TogaiEventBuffer({ client, maxBatchSize: 10, maxBufferedEvents: 20 });
  for (let i = 0; i < 20; i++) buffer.add(event(i));

  expect(buffer.full).toBe(true);
  expect(() => buffer.add(event(20))).toThrow(TogaiBufferFullError);
  await buffer.whenRoom();
  buffer.add(event(20));

  expect((await buffer.flush()).accepted).toBe(21);
  await client.close();
});

test("failures are reported to onFailure and by flush, with ids to retry; re-adding them bills nothing twice", async () => {
  const { client } = await clientFor(h, { maxAttempts: 1 });
  const reported: UndeliveredEvent[] = [];
  const buffer = new TogaiEventBuffer({
    client,
    maxBatchSize: 5,
    maxConcurrentRequests: 1,
    onFailure: (failed) => reported.push(...failed),
  });
  h.togai.inject({ path: "/ingestBatch", kind: "accept-then-status", status: 503 });
  h.togai.inject({ path: "/ingestBatch", kind: "partial", failIndexes: [1] });
  for (let i = 0; i < 15; i++) buffer.add(event(i + 100));

  const result = await buffer.flush();

  expect(result.accepted).toBe(9);
  expect(result.failed.map((f) => [f.id, f.retryable])).toEqual([
    ["evt-100", true],
    ["evt-101", true],
    ["evt-102", true],
    ["evt-103", true],
    ["evt-104", true],
    ["evt-106", false],
  ]);
  expect(reported).toEqual(result.failed);
  for (const f of result.failed.filter((x) => x.retryable)) buffer.add(f.event);
  expect(await buffer.flush()).toEqual({ accepted: 5, failed: [] });
  expect(h.togai.idsSeen.get("evt-100")).toBe(2); // resent with its id: Togai drops the repeat
  await client.close();
});

test("an invalid event is refused by add itself; add after close is refused", async () => {
  const { client } = await clientFor(h);
  const buffer = new TogaiEventBuffer({ client });
  expect(() => buffer.add(event(1, { timestamp: "" }))).toThrow(InvalidEventError);
  await buffer.close();
  expect(() => buffer.add(event(2))).toThrow(TogaiBufferClosedError);
  expect(() => new TogaiEventBuffer({ client, maxBatchSize: 501 })).toThrow(
    "maxBatchSize must be a whole number from 1 to 500, got 501",
  );
  await client.close();
});

test("the Lambda pattern: add during the handler, flush before returning", async () => {
  const { client } = await clientFor(h);
  const buffer = new TogaiEventBuffer({ client });
  const handler = async (usage: Array<{ account: string; calls: number }>) => {
    for (const u of usage) {
      buffer.add({
        schemaName: "api_calls",
        timestamp: new Date().toISOString(),
        accountId: u.account,
        attributes: [{ name: "calls", value: String(u.calls) }],
        dimensions: {},
      });
    }
    const { failed } = await buffer.flush();
    return { batchItemFailures: failed.map((f) => ({ itemIdentifier: f.id })) };
  };

  const out = await handler([
    { account: "a", calls: 3 },
    { account: "b", calls: 5 },
  ]);

  expect(out).toEqual({ batchItemFailures: [] });
  expect(h.togai.events.slice(-2).map((e) => (e as { accountId: string }).accountId)).toEqual([
    "a",
    "b",
  ]);
  await client.close();
});

// Invariant: a caller awaiting whenRoom() is never left waiting forever.
test("a buffer full of undelivered events: whenRoom rejects and says to flush, flush makes room", async () => {
  const { client } = await clientFor(h);
  h.togai.inject({ path: "/ingestBatch", kind: "status", status: 503, times: 1000 });
  const buffer = new TogaiEventBuffer({
    client,
    maxBatchSize: 10,
    maxBufferedEvents: 20,
    maxBatchDelayMs: 10,
    onFailure: () => undefined,
  });
  for (let i = 0; i < 20; i++) buffer.add(event(i));
  const waiting = buffer.whenRoom();

  const error = await waiting.then(
    () => new Error("whenRoom resolved without room"),
    (e: Error) => e,
  );

  expect(error).toBeInstanceOf(TogaiBufferFullError);
  expect(error.message).toContain("call flush() to collect them");
  await expect(buffer.whenRoom()).rejects.toThrow(TogaiBufferFullError);
  h.togai.clearFaults();
  expect((await buffer.flush()).failed).toHaveLength(20);
  await buffer.whenRoom();
  expect(buffer.size).toBe(0);
  await client.close();
});
