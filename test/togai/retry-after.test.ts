/** Retry-After as RFC 9110 defines it: delay-seconds or an HTTP date; anything else is ignored. */
import { parseRetryAfter } from "../../lib/togai/retry-after";

const now = Date.parse("2026-11-28T08:00:00Z");

test("seconds, HTTP dates (past ones mean now), and unreadable values", () => {
  expect(parseRetryAfter("30", now)).toBe(30_000);
  expect(parseRetryAfter(" 0 ", now)).toBe(0);
  expect(parseRetryAfter("Sat, 28 Nov 2026 08:00:05 GMT", now)).toBe(5_000);
  expect(parseRetryAfter("Sat, 28 Nov 2026 07:00:00 GMT", now)).toBe(0);
  for (const bad of [undefined, "", "-1", "1.5", "2026-11-28", "Someday, 99 Foo"]) {
    expect(parseRetryAfter(bad, now)).toBeUndefined();
  }
});
