import { InvalidEventError } from "./errors";

/** A usage event, as Togai's `Event` schema defines it. */
export interface TogaiEvent {
  /** Idempotency key: the same id is rejected for 45 days. At most 512 characters. */
  readonly id?: string;
  /** Event schema name, 1 to 50 characters. */
  readonly schemaName: string;
  /** When the usage happened, ISO 8601 date-time. */
  readonly timestamp: string;
  /** The customer account, at most 512 characters. */
  readonly accountId: string;
  /** Up to 10 numeric attributes. */
  readonly attributes: ReadonlyArray<TogaiAttribute>;
  /** String dimensions, each value 1 to 200 characters. */
  readonly dimensions: { readonly [name: string]: string };
}

/** A numeric attribute; the value is a STRING of digits (`"12"`, `"-3.5"`). */
export interface TogaiAttribute {
  readonly name: string;
  readonly value: string;
  readonly unit?: string;
}

const EVENT_FIELDS = new Set([
  "id",
  "schemaName",
  "timestamp",
  "accountId",
  "attributes",
  "dimensions",
]);
const ATTRIBUTE_FIELDS = new Set(["name", "value", "unit"]);
const ATTRIBUTE_VALUE = /^-?\d{1,512}(\.\d+)?$/;
// RFC 3339 date-time, as OpenAPI's `format: date-time` means it.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function describe(value: unknown): string {
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null
    ? "null"
    : `${typeof value === "object" ? "an object" : String(value)} (${typeof value})`;
}

function text(
  fail: (field: string, rule: string, value: unknown) => never,
  field: string,
  value: unknown,
  min: number,
  max: number,
): void {
  if (typeof value !== "string" || value.length < min || value.length > max) {
    fail(
      field,
      `must be a string of ${min === 0 ? "at most" : `${min} to`} ${max} characters`,
      value,
    );
  }
}

/**
 * Checks one event against Togai's `Event` schema, so that a bad event is refused before any
 * request. The error names the event (index and id) and the field.
 */
export function validateEvent(event: unknown, index: number): asserts event is TogaiEvent {
  const e = event as Record<string, unknown>;
  const label = `Event ${index}${typeof e?.id === "string" ? ` (id "${e.id.slice(0, 64)}")` : ""}`;
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new InvalidEventError(`${label}: ${field} ${rule}, got ${describe(value)}`, index, field);
  };
  if (!e || typeof e !== "object" || Array.isArray(e)) fail("event", "must be an object", e);
  for (const key of Object.keys(e)) {
    if (!EVENT_FIELDS.has(key)) {
      fail(
        key,
        "is not a field of Togai's Event (schemaName, timestamp, accountId, attributes, dimensions, id)",
        e[key],
      );
    }
  }
  if (e.id !== undefined) text(fail, "id", e.id, 0, 512);
  text(fail, "schemaName", e.schemaName, 1, 50);
  if (
    typeof e.timestamp !== "string" ||
    !ISO_DATE_TIME.test(e.timestamp) ||
    Number.isNaN(Date.parse(e.timestamp))
  ) {
    fail("timestamp", "must be an ISO 8601 date-time such as 2026-11-28T08:00:00Z", e.timestamp);
  }
  text(fail, "accountId", e.accountId, 0, 512);
  if (!Array.isArray(e.attributes)) fail("attributes", "must be an array", e.attributes);
  const attributes = e.attributes as unknown[];
  if (attributes.length > 10) fail("attributes", "must hold at most 10 attributes", attributes);
  attributes.forEach((a, i) => {
    const attr = a as Record<string, unknown>;
    const at = `attributes[${i}]`;
    if (!attr || typeof attr !== "object" || Array.isArray(attr))
      fail(at, "must be an object", attr);
    for (const key of Object.keys(attr)) {
      if (!ATTRIBUTE_FIELDS.has(key))
        fail(`${at}.${key}`, "is not a field of an attribute (name, value, unit)", attr[key]);
    }
    text(fail, `${at}.name`, attr.name, 1, 50);
    if (typeof attr.value !== "string" || !ATTRIBUTE_VALUE.test(attr.value)) {
      fail(`${at}.value`, 'must be a string of digits such as "12" or "-3.5"', attr.value);
    }
    if (attr.unit !== undefined) text(fail, `${at}.unit`, attr.unit, 1, 50);
  });
  const dims = e.dimensions;
  if (!dims || typeof dims !== "object" || Array.isArray(dims)) {
    fail("dimensions", "must be an object of string values", dims);
  }
  for (const [name, value] of Object.entries(dims as Record<string, unknown>)) {
    text(fail, `dimensions.${name}`, value, 1, 200);
  }
}
