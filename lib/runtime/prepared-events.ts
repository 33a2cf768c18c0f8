/**
 * Events as they are sent: checked, each with its id fixed before the first request, and (for
 * `ingestBatch`) serialized once per request body, with no copy in between: every attempt of a
 * request resends the same bytes, so a retry after a lost answer is not billed twice.
 */
import { randomUUID } from "node:crypto";
import { JsonText } from "../togai/togai-api";
import { InvalidEventError } from "./errors";
import { type TogaiEvent, validateEvent } from "./event-validation";

/**
 * The event as sent: with the caller's id, or a new one assigned once, before any attempt. A copy
 * of the (validated) event, so that a caller reusing or changing its object after `add()` or
 * during a call cannot change what is billed nor make Togai refuse a whole batch.
 */
export function withId(
  event: TogaiEvent,
  id: string = event.id ?? randomUUID(),
): TogaiEvent & { readonly id: string } {
  return {
    id,
    schemaName: event.schemaName,
    timestamp: event.timestamp,
    accountId: event.accountId,
    attributes: event.attributes.map((a) =>
      a.unit === undefined
        ? { name: a.name, value: a.value }
        : { name: a.name, value: a.value, unit: a.unit },
    ),
    dimensions: { ...event.dimensions },
  };
}

/** The events of one `ingestBatch` call, ready to send. */
export interface PreparedBatch {
  /** The id of each event, in input order. */
  readonly ids: ReadonlyArray<string>;
  /** Request bodies. */
  readonly count: number;
  /**
   * The body of request `i` (events `i × batchSize` onwards, at most `batchSize`), serialized
   * when called: once per request, as it starts, so that serializing the next bodies overlaps
   * with the requests on the wire (as a bare HTTP client does).
   */
  body(i: number): JsonText;
}

/**
 * Checks every event and fixes its id before anything is sent (nothing is sent when one is
 * invalid, or when two share an id: Togai keeps one event per id, so the second would look
 * accepted and never be billed). Events are read again when their request's body is built:
 * the caller must not change them until the call resolves.
 */
export function prepareBatch(events: ReadonlyArray<TogaiEvent>, batchSize: number): PreparedBatch {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    validateEvent(event, index);
    const id = event.id;
    if (id === undefined) {
      ids.push(randomUUID());
    } else if (seen.size === seen.add(id).size) {
      const first = events.findIndex((e) => e.id === id);
      throw new InvalidEventError(
        `Event ${index} (id "${id.slice(0, 64)}"): id is also the id of event ${first}; Togai keeps one event per id, so the second would not be billed. Give each event its own id`,
        index,
        "id",
      );
    } else ids.push(id);
  }
  return {
    ids,
    count: Math.ceil(events.length / batchSize),
    body(i) {
      const start = i * batchSize;
      const end = Math.min(start + batchSize, events.length);
      const chunk: TogaiEvent[] = []; // packed (not new Array(n)): JSON.stringify's fast path
      for (let index = start; index < end; index++) chunk.push(asSent(events[index], ids[index]));
      return new JsonText(JSON.stringify({ events: chunk }));
    },
  };
}

/**
 * What JSON.stringify may serialize as is, without a defensive copy: the caller's own object when
 * it is plain data that carries its id (JSON.stringify then writes exactly the fields that were
 * checked), a shallow copy with the assigned id, or a full copy for anything else (getters,
 * class instances, whose fields JSON.stringify would not write as they were checked).
 */
function asSent(event: TogaiEvent, id: string): TogaiEvent {
  if (!isPlain(event) || !isPlain(event.dimensions) || !event.attributes.every(isPlain)) {
    return withId(event, id);
  }
  return event.id === id ? event : { ...event, id };
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
