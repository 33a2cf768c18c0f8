/**
 * Reads an HTTP `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an HTTP
 * date. Returns the wait in ms from `nowMs`, or undefined when the header is absent or unreadable
 * (the caller then falls back to its own backoff).
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.length === 0) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names a day of the week and a time zone (IMF-fixdate, RFC 850, asctime).
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
