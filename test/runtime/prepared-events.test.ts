/**
 * `ingestBatch`'s preparation: every event checked and its id fixed before anything is sent,
 * then each request body serialized once from the caller's objects. Invariants: each body holds
 * exactly its events, with the ids returned; what JSON.stringify would not write as it was checked
 * (getters, class instances) is copied first; two events with one id are refused, naming it.
 */
import { InvalidEventError } from "../../lib/runtime/errors";
import type { TogaiEvent } from "../../lib/runtime/event-validation";
import { prepareBatch } from "../../lib/runtime/prepared-events";

function event(i: number, id: string | undefined = `e-${i}`): TogaiEvent {
  return {
    id,
    schemaName: "api_calls",
    timestamp: "2026-11-28T08:00:00Z",
    accountId: `acct-${i}`,
    attributes: [{ name: "calls", value: String(i) }],
    dimensions: { region: "eu" },
  };
}

const sentEvents = (text: string) => (JSON.parse(text) as { events: TogaiEvent[] }).events;

test("bodies of at most batchSize events, in order, exactly as given", () => {
  const events = Array.from({ length: 5 }, (_, i) => event(i));

  const prepared = prepareBatch(events, 2);

  expect(prepared.count).toBe(3);
  expect(prepared.ids).toEqual(["e-0", "e-1", "e-2", "e-3", "e-4"]);
  const bodies = [0, 1, 2].map((i) => sentEvents(prepared.body(i).text));
  expect(bodies.map((b) => b.length)).toEqual([2, 2, 1]);
  expect(bodies.flat()).toEqual(events);
});

test("an event without an id is sent with the id returned; the caller's object is left alone", () => {
  const mine: TogaiEvent = { ...event(1), id: undefined };

  const prepared = prepareBatch([mine, event(2)], 500);

  const [sent] = sentEvents(prepared.body(0).text);
  expect(prepared.ids[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(sent).toEqual({ ...event(1), id: prepared.ids[0] });
  expect(mine.id).toBeUndefined();
});

test("an event whose fields are getters is sent with the values that were checked", () => {
  // Fields on the prototype only: validation reads them, JSON.stringify would skip them.
  class UsageEvent {
    get schemaName() {
      return "api_calls";
    }
    get timestamp() {
      return "2026-11-28T08:00:00Z";
    }
    get accountId() {
      return "acct-3";
    }
    get attributes() {
      return [{ name: "calls", value: "3" }];
    }
    get dimensions() {
      return { region: "eu" };
    }
  }

  const prepared = prepareBatch([new UsageEvent() as unknown as TogaiEvent], 500);

  expect(sentEvents(prepared.body(0).text)).toEqual([{ ...event(3), id: prepared.ids[0] }]);
});

test("two events with one id are refused before anything is prepared, naming the id", () => {
  expect(() => prepareBatch([event(1, "dup"), event(2), event(3, "dup")], 500)).toThrow(
    new InvalidEventError(
      'Event 2 (id "dup"): id is also the id of event 0; Togai keeps one event per id, so the second would not be billed. Give each event its own id',
      2,
      "id",
    ),
  );
});
