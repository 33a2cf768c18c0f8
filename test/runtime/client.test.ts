/**
 * TogaiClient's calls (validation, ids, batching, partial failures, stopping after a fatal answer,
 * abort, close) on fake timers, over a scripted Togai in place of the socket pool. Invariants:
 * nothing is sent when an event is invalid; every event carries an id, the same on every retry
 * (exactly once); the error lists every event as accepted or failed, with whether to retry it.
 * client*.int.test.ts run the same client against the Togai stand-in over HTTP.
 */
import FakeTimers from "@sinonjs/fake-timers";
import { TogaiClient } from "../../lib/runtime/client";
import type { TogaiClientOptions } from "../../lib/runtime/client-options";
import {
  InvalidEventError,
  TogaiClientClosedError,
  TogaiIngestError,
} from "../../lib/runtime/errors";
import type { TogaiEvent } from "../../lib/runtime/event-validation";
import { TogaiApiError, TogaiResponseError } from "../../lib/togai/errors";
import { event } from "./client-harness";
import { scriptedTokens, togai, track } from "./scripted-transport";

jest.mock("../../lib/runtime/pool-transport", () => jest.requireActual("./scripted-transport"));

let clock: ReturnType<typeof FakeTimers.install>;
beforeEach(() => {
  clock = FakeTimers.install({ now: Date.parse("2026-11-28T08:00:00Z") });
  togai.reset();
});
afterEach(() => clock.uninstall());

const clientFor = (options: Partial<TogaiClientOptions> = {}) =>
  new TogaiClient({ tokens: scriptedTokens(), ...options });

/** The rejection of `promise` after the fake clock ran its retries. */
async function failureOf(promise: Promise<unknown>, ms = 60_000): Promise<TogaiIngestError> {
  const state = track(promise);
  await clock.tickAsync(ms);
  if (!state.done || state.error === undefined) throw new Error("expected a failure");
  return state.error as TogaiIngestError;
}

const sentIds = (request: { body: unknown }) =>
  ((request.body as { events: TogaiEvent[] }).events ?? []).map((e) => e.id);

test("ingest: an invalid event throws InvalidEventError and nothing is sent", async () => {
  const client = clientFor();

  await expect(client.ingest(event(0, { schemaName: "" }))).rejects.toBeInstanceOf(
    InvalidEventError,
  );
  expect(togai.sent).toHaveLength(0);
});

test("ingest: an event without id gets one, sent unchanged on every retry and returned", async () => {
  const client = clientFor();
  togai.next({ status: 503 }, { status: 500 });

  const call = track(client.ingest(event(0, { id: undefined })));
  await clock.tickAsync(1_000);

  const ids = togai.sent.map((r) => (r.body as { event: TogaiEvent }).event.id);
  expect(togai.sent.map((r) => r.path)).toEqual(["/ingest", "/ingest", "/ingest"]);
  expect(new Set(ids).size).toBe(1);
  expect(ids[0]).toMatch(/.{8,}/);
  expect(call).toMatchObject({ done: true, value: ids[0] });
  expect(client.requests).toBe(3);
});

test("ingest: the caller's id is kept; an unexpected 2xx or a refusal is a TogaiIngestError naming the event", async () => {
  const client = clientFor();
  expect(await client.ingest(event(7))).toBe("evt-7");

  togai.next({ status: 204 });
  const odd = await failureOf(client.ingest(event(8)));
  expect(odd).toBeInstanceOf(TogaiIngestError);
  expect(odd.cause).toBeInstanceOf(TogaiResponseError);
  expect(odd.message).toContain('event 0 (id "evt-8")');
  expect(odd.failed).toEqual([
    { index: 0, id: "evt-8", reason: expect.stringContaining("expected 202"), retryable: true },
  ]);

  togai.next({ status: 400, body: { message: "unknown schema" } });
  const refused = await failureOf(client.ingest(event(9)));
  expect(refused.cause).toBeInstanceOf(TogaiApiError);
  expect(refused.failed[0]).toMatchObject({ id: "evt-9", retryable: false });
  expect(refused.accepted).toEqual([]);
});

test("ingestBatch: 1,234 events go out in batches of maxBatchSize, with every id in input order", async () => {
  const client = clientFor({ maxBatchSize: 500, maxConcurrentRequests: 2 });
  const events = Array.from({ length: 1234 }, (_, i) => event(i, i % 2 ? { id: undefined } : {}));

  const result = await client.ingestBatch(events);

  expect(togai.sent.map((r) => sentIds(r).length)).toEqual([500, 500, 234]);
  expect(togai.sent.flatMap(sentIds)).toEqual(result.ids);
  expect(result).toMatchObject({ accepted: 1234, requests: 3 });
  expect(result.ids[0]).toBe("evt-0");
  expect(result.ids[1]).not.toBe("evt-1");
});

test("ingestBatch: a batch retried after a lost answer carries the same ids (billed once)", async () => {
  const client = clientFor();
  togai.next({ status: 500 });

  const call = track(client.ingestBatch([event(0, { id: undefined }), event(1)]));
  await clock.tickAsync(1_000);

  expect(call.done).toBe(true);
  expect(togai.sent).toHaveLength(2);
  expect(sentIds(togai.sent[0])).toEqual(sentIds(togai.sent[1]));
});

test("ingestBatch: a 207 with failedEvents fails those (not retryable) and accepts the others", async () => {
  const client = clientFor();
  togai.next({
    status: 207,
    body: { details: { failedEvents: [{ index: 1, reason: "unknown account" }, { index: 9 }] } },
  });

  const error = await failureOf(client.ingestBatch([event(0), event(1), event(2)]));

  expect(error).toBeInstanceOf(TogaiIngestError);
  expect(error.failed).toEqual([
    { index: 1, id: "evt-1", reason: "unknown account", retryable: false },
  ]);
  expect(error.accepted).toEqual([
    { index: 0, id: "evt-0" },
    { index: 2, id: "evt-2" },
  ]);
  expect(error.message).toContain('Togai did not accept 1 of 3 events (first: event 1, id "evt-1"');
});

test("ingestBatch: a 207 without per-event details fails every event of it as retryable", async () => {
  const client = clientFor();
  togai.next({ status: 207, body: { message: "some were dropped" } });

  const error = await failureOf(client.ingestBatch([event(0), event(1)]));

  expect(error.failed.map((f) => f.retryable)).toEqual([true, true]);
  expect(error.failed[0].reason).toBe(
    "partial failure without per-event details: some were dropped",
  );
});

test("ingestBatch: after a 400 no new request of the call starts; unsent events are retryable", async () => {
  const client = clientFor({ maxBatchSize: 2, maxConcurrentRequests: 1 });
  togai.next({ status: 202 }, { status: 400, body: { message: "bad batch" } });

  const error = await failureOf(client.ingestBatch([0, 1, 2, 3, 4, 5].map((i) => event(i))));

  expect(togai.sent).toHaveLength(2);
  expect(error.accepted.map((a) => a.index)).toEqual([0, 1]);
  expect(error.failed.map((f) => [f.index, f.retryable])).toEqual([
    [2, false],
    [3, false],
    [4, true],
    [5, true],
  ]);
  expect(error.failed[2].reason).toMatch(/^not sent: the call stopped after .*bad batch/);
  expect(error.cause).toBeInstanceOf(TogaiApiError);
});

test("ingestBatch: a network failure of one batch is not fatal; the other batches are still sent", async () => {
  const client = clientFor({ maxBatchSize: 1, maxConcurrentRequests: 1, maxAttempts: 1 });
  togai.next({ error: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) });

  const error = await failureOf(client.ingestBatch([event(0), event(1)]));

  expect(togai.sent).toHaveLength(2);
  expect(error.failed).toEqual([
    { index: 0, id: "evt-0", reason: expect.stringContaining("ECONNREFUSED"), retryable: true },
  ]);
  expect(error.accepted).toEqual([{ index: 1, id: "evt-1" }]);
});

test("ingestBatch: an abort between batches stops the call; what was not sent is listed as retryable", async () => {
  const client = clientFor({ maxBatchSize: 1, maxConcurrentRequests: 1 });
  const controller = new AbortController();
  const held = togai.hold();
  togai.next(held.answer);

  const call = track(client.ingestBatch([event(0), event(1)], { signal: controller.signal }));
  await clock.tickAsync(0);
  controller.abort(new Error("shutting down"));
  held.settle({ status: 202 });
  await clock.tickAsync(0);

  const error = call.error as TogaiIngestError;
  expect(error).toBeInstanceOf(TogaiIngestError);
  expect(error.accepted).toEqual([{ index: 0, id: "evt-0" }]);
  expect(error.failed).toEqual([
    {
      index: 1,
      id: "evt-1",
      reason: "not sent: the call stopped after shutting down",
      retryable: true,
    },
  ]);
  expect(togai.sent).toHaveLength(1);
});

test("ingestBatch: an invalid event anywhere refuses the whole call before anything is sent", async () => {
  const client = clientFor();

  const error = await client
    .ingestBatch([event(0), event(1, { schemaName: "" })])
    .catch((e: unknown) => e);

  expect(error).toBeInstanceOf(InvalidEventError);
  expect((error as InvalidEventError).eventIndex).toBe(1);
  expect(togai.sent).toHaveLength(0);
});

test("sendPrepared never throws: a failure comes back as the batch's outcome", async () => {
  const client = clientFor({ maxAttempts: 1 });
  togai.next({ status: 401 }, { status: 401 });

  const outcome = await client.sendPrepared([event(0), event(1)]);

  expect(outcome.failed).toHaveLength(2);
  expect(outcome.failed[0]).toMatchObject({ index: 0, retryable: true });
  expect(outcome.fatal).toBeDefined();
});

test("the token's apiBaseUrl is used unless baseUrl is given", async () => {
  await clientFor().ingest(event(0));
  await clientFor({ baseUrl: "https://sandbox.togai.test" }).ingest(event(1));

  expect(togai.sent.map((r) => r.origin)).toEqual([
    "https://togai.test",
    "https://sandbox.togai.test",
  ]);
});

test("after close() both calls throw TogaiClientClosedError without a request", async () => {
  const client = clientFor();
  await client.close();

  await expect(client.ingest(event(0))).rejects.toBeInstanceOf(TogaiClientClosedError);
  await expect(client.ingestBatch([event(0)])).rejects.toBeInstanceOf(TogaiClientClosedError);
  expect(togai.sent).toHaveLength(0);
  expect(togai.closed).toBe(1);
});
