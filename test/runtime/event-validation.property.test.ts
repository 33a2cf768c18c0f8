/**
 * Point 6: the client's validator and the stand-in's independent reading of Togai's schema agree
 * on every generated event (accept both, or refuse both), and the validator keeps no state: the
 * same event gets the same verdict whatever was checked before it.
 */
import fc from "fast-check";
import { validateEvent } from "../../lib/runtime/event-validation";
import { eventSchemaViolation } from "../support/togai-schema";

const clientAccepts = (event: unknown): boolean => {
  try {
    validateEvent(event, 0);
    return true;
  } catch {
    return false;
  }
};

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
/** Date-time strings near the edges: day 31 of short months, Feb 29, hour 24, odd offsets. */
const timestamp = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
      two(13),
      two(32),
      two(25),
      two(61),
      two(61),
      fc.constantFrom("", ".5", ".123456"),
      fc.oneof(
        fc.constant("Z"),
        fc.tuple(fc.constantFrom("+", "-"), two(25), two(61)).map(([s, h, m]) => `${s}${h}:${m}`),
      ),
    )
    .map(([y, mo, d, h, mi, s, f, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f}${z}`),
  fc.constantFrom("", "2026-11-28", "2026-11-28 08:00:00Z", "2024-02-29T00:00:00Z"),
  fc.string(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const text = (max: number) => fc.string({ maxLength: max + 2 });
const attribute = fc.record(
  {
    name: text(50),
    value: fc.oneof(
      fc.integer().map(String),
      fc.double({ noNaN: true }).map(String),
      fc.constantFrom("1.", "-0.5", "1e3", "", " 1"),
      fc.integer() as fc.Arbitrary<unknown>,
    ),
    unit: text(50),
    extra: fc.string(),
  },
  { requiredKeys: ["name", "value"] },
);
const anyEvent = fc.record(
  {
    id: text(512),
    schemaName: text(50),
    timestamp,
    accountId: text(512),
    attributes: fc.array(attribute, { maxLength: 11 }),
    dimensions: fc.dictionary(fc.string({ minLength: 1 }), text(200), { maxKeys: 3 }),
    eventName: fc.string(),
  },
  { requiredKeys: ["schemaName", "timestamp", "accountId", "attributes", "dimensions"] },
);
/** Events within the schema's bounds, up to the edges (lengths 1, 50, 200, 512; 10 attributes). */
const plausibleEvent = fc.record(
  {
    id: fc.string({ maxLength: 512 }),
    schemaName: fc.string({ minLength: 1, maxLength: 50 }),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      timestamp,
    ),
    accountId: fc.string({ maxLength: 512 }),
    attributes: fc.array(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 50 }),
        value: fc.oneof(fc.integer().map(String), fc.constantFrom("-3.5", "0.25", "1.", "x")),
      }),
      { maxLength: 10 },
    ),
    dimensions: fc.dictionary(
      fc.string({ minLength: 1 }),
      fc.string({ minLength: 1, maxLength: 200 }),
      {
        maxKeys: 3,
      },
    ),
  },
  { requiredKeys: ["schemaName", "timestamp", "accountId", "attributes", "dimensions"] },
);
const event = fc.oneof(plausibleEvent, anyEvent);

test("client validator and stand-in schema agree on 20,000 generated events", () => {
  const verdicts = { accepted: 0, refused: 0 };
  fc.assert(
    fc.property(event, (e) => {
      const accepted = clientAccepts(e);
      verdicts[accepted ? "accepted" : "refused"]++;
      // One deliberate difference: the client refuses an empty id (every such event would share
      // Togai's one idempotency key), which the spec allows.
      const emptyId = (e as { id?: unknown }).id === "";
      expect(accepted).toBe(eventSchemaViolation(e) === undefined && !emptyId);
    }),
    { numRuns: 20_000, seed: 1212 },
  );
  // Both verdicts occur often enough for the agreement to mean something.
  expect(verdicts.accepted).toBeGreaterThan(500);
  expect(verdicts.refused).toBeGreaterThan(500);
});

test("they agree on generated timestamps alone, and a valid event stays valid after any other", () => {
  const base = {
    schemaName: "api_calls",
    accountId: "a",
    attributes: [],
    dimensions: {},
  };
  fc.assert(
    fc.property(timestamp, timestamp, (first, second) => {
      clientAccepts({ ...base, timestamp: first });
      const verdict = clientAccepts({ ...base, timestamp: second });
      expect(verdict).toBe(eventSchemaViolation({ ...base, timestamp: second }) === undefined);
    }),
    { numRuns: 20_000, seed: 2121 },
  );
});

test("an empty or malformed timestamp is refused even right after a valid one", () => {
  const ok = { schemaName: "s", accountId: "a", attributes: [], dimensions: {} };
  expect(clientAccepts({ ...ok, timestamp: "2026-11-28T08:00:00Z" })).toBe(true);
  for (const timestamp of ["", "2026-02-30T00:00:00Z", "2026-11-28T24:00:00Z", "yesterday"]) {
    expect(clientAccepts({ ...ok, timestamp })).toBe(false);
  }
});
