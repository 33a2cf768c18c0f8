/**
 * The stand-in's own reading of Togai's request schemas (OpenAPI `Event`, `Attribute`,
 * `IngestEventRequest`, `IngestBatchEventRequest`). Written separately from the client's
 * validator on purpose: the stand-in checks the client, not itself.
 */

const ATTRIBUTE_VALUE = /^-?\d{1,512}(\.\d+)?$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** RFC 3339 `date-time`, read field by field with a days-in-month table (no Date parsing). */
function isDateTime(v: unknown): boolean {
  if (typeof v !== "string" || !ISO_DATE_TIME.test(v)) return false;
  const num = (from: number, to: number) => Number(v.slice(from, to));
  const year = num(0, 4);
  const month = num(5, 7);
  const day = num(8, 10);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (month < 1 || month > 12 || day < 1 || day > days) return false;
  if (num(11, 13) > 23 || num(14, 16) > 59 || num(17, 19) > 59) return false;
  if (v.endsWith("Z")) return true;
  return num(v.length - 5, v.length - 3) <= 23 && num(v.length - 2, v.length) <= 59;
}

function isString(v: unknown, min: number, max: number): boolean {
  return typeof v === "string" && v.length >= min && v.length <= max;
}

function onlyKeys(obj: Record<string, unknown>, allowed: string[]): string | undefined {
  return Object.keys(obj).find((k) => !allowed.includes(k));
}

/** Returns why `event` breaks the `Event` schema, or undefined when it conforms. */
export function eventSchemaViolation(event: unknown): string | undefined {
  if (!event || typeof event !== "object" || Array.isArray(event)) return "event is not an object";
  const e = event as Record<string, unknown>;
  const extra = onlyKeys(e, [
    "id",
    "schemaName",
    "timestamp",
    "accountId",
    "attributes",
    "dimensions",
  ]);
  if (extra) return `unknown property ${extra}`;
  if (e.id !== undefined && !isString(e.id, 0, 512)) return "id must be a string of at most 512";
  if (!isString(e.schemaName, 1, 50)) return "schemaName must be a string of 1 to 50";
  if (!isDateTime(e.timestamp)) {
    return "timestamp must be an ISO 8601 date-time";
  }
  if (!isString(e.accountId, 0, 512)) return "accountId must be a string of at most 512";
  if (!Array.isArray(e.attributes) || e.attributes.length > 10) {
    return "attributes must be an array of at most 10";
  }
  for (const [i, a] of e.attributes.entries()) {
    if (!a || typeof a !== "object") return `attributes[${i}] is not an object`;
    const attr = a as Record<string, unknown>;
    const extraAttr = onlyKeys(attr, ["name", "value", "unit"]);
    if (extraAttr) return `attributes[${i}] has unknown property ${extraAttr}`;
    if (!isString(attr.name, 1, 50)) return `attributes[${i}].name must be a string of 1 to 50`;
    if (typeof attr.value !== "string" || !ATTRIBUTE_VALUE.test(attr.value)) {
      return `attributes[${i}].value must be a numeric string`;
    }
    if (attr.unit !== undefined && !isString(attr.unit, 1, 50)) {
      return `attributes[${i}].unit must be a string of 1 to 50`;
    }
  }
  if (!e.dimensions || typeof e.dimensions !== "object" || Array.isArray(e.dimensions)) {
    return "dimensions must be an object";
  }
  for (const [k, v] of Object.entries(e.dimensions)) {
    if (!isString(v, 1, 200)) return `dimensions.${k} must be a string of 1 to 200`;
  }
  return undefined;
}

/** Why a `/ingest` body breaks `IngestEventRequest`, or undefined. */
export function ingestRequestViolation(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return "body is not a JSON object";
  const extra = onlyKeys(body as Record<string, unknown>, ["event"]);
  if (extra) return `unknown property ${extra}`;
  return eventSchemaViolation((body as { event?: unknown }).event);
}

/** Why a `/ingestBatch` body breaks `IngestBatchEventRequest` (at most 500 events), or undefined. */
export function ingestBatchRequestViolation(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return "body is not a JSON object";
  const extra = onlyKeys(body as Record<string, unknown>, ["events"]);
  if (extra) return `unknown property ${extra}`;
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events) || events.length < 1) return "events must be a non-empty array";
  if (events.length > 500) return `events holds ${events.length} events, above 500`;
  for (const [i, event] of events.entries()) {
    const why = eventSchemaViolation(event);
    if (why) return `events[${i}]: ${why}`;
  }
  return undefined;
}
