/**
 * Point 1, exactly once under retries. Invariant of every test here: each logical event (its
 * `seq` dimension) is recorded by Togai under exactly one id, however many times it was sent.
 */
import { InvalidEventError, TogaiIngestError } from "../../lib/runtime/errors";
import { TogaiEventBuffer } from "../../lib/runtime/event-buffer";
import { useServers } from "../support/servers";
import { clientFor, event, failureOf } from "./client-harness";

const h = useServers();

/**
 * Logical events Togai would bill more than once: recorded under two ids, or recorded twice
 * without an id (Togai can only drop a repeat it can recognise by its id).
 */
function doubleBilled(): string[] {
  const idsBySeq = new Map<string, Set<string>>();
  let anonymous = 0;
  for (const e of h.togai.events as Array<{ id?: string; dimensions: { seq: string } }>) {
    const ids = idsBySeq.get(e.dimensions.seq) ?? new Set();
    ids.add(e.id ?? `no id #${anonymous++}`);
    idsBySeq.set(e.dimensions.seq, ids);
  }
  return [...idsBySeq].filter(([, ids]) => ids.size > 1).map(([seq]) => seq);
}

beforeEach(() => {
  h.togai.events.length = 0;
  h.togai.idsSeen.clear();
});

test("an event without id gets one before the first attempt and keeps it on the retry after a lost answer", async () => {
  const { client } = await clientFor(h, { timeoutMs: 300 });
  // Togai accepts the event, but its answer comes after the client gave up waiting.
  h.togai.inject({ path: "/ingest", kind: "accept-slow", delayMs: 1000 });

  const id = await client.ingest(event(1, { id: undefined }));

  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(h.togai.idsSeen.get(id)).toBe(2); // sent twice, the same id: Togai drops the second
  expect(doubleBilled()).toEqual([]);
  await client.close();
});

test("a batch whose success answer was lost (accepted, then 500) is resent with the same ids", async () => {
  const { client } = await clientFor(h);
  h.togai.inject({ path: "/ingestBatch", kind: "accept-then-status", status: 500 });
  const input = Array.from({ length: 30 }, (_, i) => event(i, { id: undefined }));

  const result = await client.ingestBatch(input);

  expect(result.ids).toHaveLength(30);
  expect(new Set(result.ids).size).toBe(30);
  for (const id of result.ids) expect(h.togai.idsSeen.get(id)).toBe(2);
  expect(doubleBilled()).toEqual([]);
  await client.close();
});

test("seeded random lost answers over 40 calls: no logical event billed twice, failed ones retried by id", async () => {
  let seed = 12;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const { client } = await clientFor(h, { maxAttempts: 2, timeoutMs: 300 });
  const sent: string[] = [];
  for (let call = 0; call < 40; call++) {
    const r = random();
    if (r < 0.2) h.togai.inject({ path: "/ingestBatch", kind: "accept-then-status", status: 503 });
    else if (r < 0.3) h.togai.inject({ path: "/ingestBatch", kind: "accept-slow", delayMs: 600 });
    else if (r < 0.4)
      h.togai.inject({ path: "/ingestBatch", kind: "accept-then-status", status: 500, times: 2 });
    const input = Array.from({ length: 5 }, (_, i) => event(call * 5 + i, { id: undefined }));
    const error = await failureOf(client.ingestBatch(input));
    if (error instanceof TogaiIngestError) {
      // The caller retries what failed, with the ids the error lists.
      const retry = error.failed.map((f) => ({ ...input[f.index], id: f.id }));
      await client.ingestBatch(retry);
    }
    h.togai.clearFaults();
    sent.push(...input.map((e) => e.dimensions.seq));
  }

  const recorded = new Set(
    (h.togai.events as Array<{ dimensions: { seq: string } }>).map((e) => e.dimensions.seq),
  );
  expect(sent.filter((seq) => !recorded.has(seq))).toEqual([]); // none lost
  expect(doubleBilled()).toEqual([]); // none billed twice
  expect(h.togai.repeatedIdDeliveries).toBeGreaterThan(0); // the faults did cause resends
  await client.close();
});

// Invariant: what Togai bills is what the caller passed when it called, and every event reported
// accepted was recorded under its own id (none silently dropped as a repeat by Togai).
test("ids shared within one batch, or empty, are refused before any request", async () => {
  const { client } = await clientFor(h);
  const before = client.requests;

  const shared = await failureOf(client.ingestBatch([event(1), event(2), event(1)]));
  const empty = await failureOf(client.ingestBatch([event(3, { id: "" }), event(4, { id: "" })]));

  expect(shared).toBeInstanceOf(InvalidEventError);
  expect(shared.message).toContain('Event 2 (id "evt-1"): id is also the id of event 0');
  expect(empty).toBeInstanceOf(InvalidEventError);
  expect(empty.message).toContain("id must not be empty");
  expect(client.requests).toBe(before);
  expect(h.togai.idsSeen.size).toBe(0);
  await client.close();
});

test("an event object changed after add() is billed as it was when added", async () => {
  const { client } = await clientFor(h);
  const buffer = new TogaiEventBuffer({ client, maxBatchDelayMs: 10 });
  const reused = { ...event(1), attributes: [{ name: "calls", value: "5" }] };
  buffer.add(reused);
  (reused.attributes[0] as { value: string }).value = "not a number";
  (reused.dimensions as Record<string, string>).seq = "changed";
  buffer.add(event(2));

  const result = await buffer.flush();

  expect(result).toEqual({ accepted: 2, failed: [] });
  const billed = h.togai.events.find((e) => (e as { id: string }).id === "evt-1");
  expect(billed).toMatchObject({ attributes: [{ value: "5" }], dimensions: { seq: "1" } });
  await client.close();
});
