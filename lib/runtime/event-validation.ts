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
// RFC 3339 date-time, as OpenAPI's `format: date-time` means it; the calendar is checked below.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

function describe(value: unknown): string {
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null
    ? "null"
    : `${typeof value === "object" ? "an object" : String(value)} (${typeof value})`;
}

/** Thrown by the checks below; `validateEvent` adds which event it was. */
class FieldError {
  constructor(
    readonly field: string,
    readonly rule: string,
    readonly value: unknown,
  ) {}
}

function isText(value: unknown, min: number, max: number): boolean {
  return typeof value === "string" && value.length >= min && value.length <= max;
}

/** The error of a field that is not a string of `min` to `max` characters. */
function textError(field: string, value: unknown, min: number, max: number): FieldError {
  const size = `${min === 0 ? "at most" : `${min} to`} ${max}`;
  return new FieldError(field, `must be a string of ${size} characters`, value);
}

// Field names of nested values are built only when a check fails: validation runs per event.
function text(field: string, value: unknown, min: number, max: number): void {
  if (!isText(value, min, max)) throw textError(field, value, min, max);
}

/** Days in `month` (1-12) of `year`, by the Gregorian leap-year rule. */
function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * True when `value` is an RFC 3339 date-time that names a real instant: month 1-12, a day that
 * exists in that month (leap years included), hour 0-23, minute and second 0-59, offset up to
 * 23:59. Date.parse alone is lenient (it reads "2026-02-30" as March 2). The only state kept
 * between calls is the last valid string (a string valid once is valid always).
 */
function isDateTime(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return false;
  const month = +m[2];
  const day = +m[3];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(+m[1], month)) return false;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 59) return false;
  return m[9] === undefined || (+m[9] <= 23 && +m[10] <= 59);
}

/** The last timestamp found valid: the events of a batch often share one (a period, a second). */
let lastValidTimestamp = "";

function checkTimestamp(value: unknown): void {
  if (value === lastValidTimestamp) return;
  if (typeof value !== "string" || !isDateTime(value)) {
    throw new FieldError(
      "timestamp",
      "must be an ISO 8601 date-time such as 2026-11-28T08:00:00Z",
      value,
    );
  }
  lastValidTimestamp = value;
}

function checkEvent(e: Record<string, unknown>): void {
  if (!e || typeof e !== "object" || Array.isArray(e))
    throw new FieldError("event", "must be an object", e);
  for (const key in e) {
    if (!EVENT_FIELDS.has(key)) {
      throw new FieldError(
        key,
        "is not a field of Togai's Event (schemaName, timestamp, accountId, attributes, dimensions, id)",
        e[key],
      );
    }
  }
  if (e.id !== undefined) {
    text("id", e.id, 0, 512);
    // Togai keeps one event per id for 45 days: every event sent with "" would share one key.
    if (e.id === "")
      throw new FieldError("id", "must not be empty (leave it out to have one assigned)", e.id);
  }
  text("schemaName", e.schemaName, 1, 50);
  checkTimestamp(e.timestamp);
  text("accountId", e.accountId, 0, 512);
  const attributes = e.attributes;
  if (!Array.isArray(attributes))
    throw new FieldError("attributes", "must be an array", attributes);
  if (attributes.length > 10)
    throw new FieldError("attributes", "must hold at most 10 attributes", attributes);
  for (let i = 0; i < attributes.length; i++) {
    const attr = attributes[i] as Record<string, unknown>;
    if (!attr || typeof attr !== "object" || Array.isArray(attr))
      throw new FieldError(`attributes[${i}]`, "must be an object", attr);
    for (const key in attr) {
      if (!ATTRIBUTE_FIELDS.has(key)) {
        throw new FieldError(
          `attributes[${i}].${key}`,
          "is not a field of an attribute (name, value, unit)",
          attr[key],
        );
      }
    }
    if (!isText(attr.name, 1, 50)) throw textError(`attributes[${i}].name`, attr.name, 1, 50);
    if (typeof attr.value !== "string" || !ATTRIBUTE_VALUE.test(attr.value)) {
      throw new FieldError(
        `attributes[${i}].value`,
        'must be a string of digits such as "12" or "-3.5"',
        attr.value,
      );
    }
    if (attr.unit !== undefined && !isText(attr.unit, 1, 50)) {
      throw textError(`attributes[${i}].unit`, attr.unit, 1, 50);
    }
  }
  const dims = e.dimensions as Record<string, unknown>;
  if (!dims || typeof dims !== "object" || Array.isArray(dims)) {
    throw new FieldError("dimensions", "must be an object of string values", dims);
  }
  for (const name in dims) {
    if (!isText(dims[name], 1, 200)) throw textError(`dimensions.${name}`, dims[name], 1, 200);
  }
}

export function validateEvent(event: unknown, index: number): asserts event is TogaiEvent {
  try {
    checkEvent(event as Record<string, unknown>);
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    const id = (event as { id?: unknown } | null)?.id;
    const label = `Event ${index}${typeof id === "string" ? ` (id "${id.slice(0, 64)}")` : ""}`;
    throw new InvalidEventError(
      `${label}: ${error.field} ${error.rule}, got ${describe(error.value)}`,
      index,
      error.field,
    );
  }
}
