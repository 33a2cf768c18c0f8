import { isDeepStrictEqual } from "node:util";

/**
 * Turns synthesized JSON values into HCL expressions, so that a value that differs between
 * variants of the stack can become a Terraform conditional inside a `.tf.json` string.
 */

/** The index just past the `}` closing the interpolation that starts at `start` ("${"). */
function interpolationEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // Skip a quoted string inside the expression (it may hold braces, e.g. a regex).
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i + 1;
  }
  return -1;
}

/** The expression of a string that is exactly one interpolation ("${expr}"), else undefined. */
export function soleInterpolation(text: string): string | undefined {
  if (!text.startsWith("${")) return undefined;
  return interpolationEnd(text, 0) === text.length ? text.slice(2, -1) : undefined;
}

/** A JSON value (as Terraform reads it from `.tf.json`) as an HCL expression. */
export function toHcl(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    const sole = soleInterpolation(value);
    if (sole !== undefined) return `(${sole})`;
    // A quoted template: interpolations stay live, quotes and backslashes are escaped.
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
  }
  if (Array.isArray(value)) return `[${value.map(toHcl).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)} = ${toHcl(v)}`).join(", ")}}`;
}

/**
 * `conditions[i] ? values[i] : ... : values[last]` as a `.tf.json` string; the last value is
 * the fallback and needs no condition.
 */
export function conditional(conditions: string[], allValues: unknown[]): unknown {
  // A branch equal to the fallback after it adds nothing: `a ? x : b ? y : y` is `a ? x : y`.
  const values = [...allValues];
  while (values.length > 1 && isDeepStrictEqual(values.at(-2), values.at(-1))) {
    values.splice(values.length - 2, 1);
  }
  if (values.length === 1) return values[0];
  let expr = toHcl(values[values.length - 1]);
  for (let i = values.length - 2; i >= 0; i--) {
    expr = `${conditions[i]} ? ${toHcl(values[i])} : ${expr}`;
  }
  return `\${${expr}}`;
}
