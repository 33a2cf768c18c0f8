/**
 * The one retry policy (backoff with jitter, Retry-After as a floor) and the one place of the
 * runtime's defaults. Invariants: a wait is never sooner than Togai's Retry-After, never shorter
 * than half its bound nor longer than the bound (plus the Retry-After spread); every documented
 * default (`@default` in the option types, the README's table) is the figure the code uses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUFFER_DEFAULTS,
  CLIENT_DEFAULTS,
  TOKEN_PROVIDER_DEFAULTS,
} from "../../lib/runtime/defaults";
import {
  backoffBound,
  RETRY_DEFAULTS,
  retryDelayMs,
  withJitter,
} from "../../lib/togai/retry-policy";

const ROOT = join(__dirname, "..", "..");
const backoff = { baseDelayMs: 100, maxDelayMs: 5_000 };

test("the bound doubles from baseDelayMs and stops at maxDelayMs", () => {
  expect([1, 2, 3, 4, 6, 7, 20].map((n) => backoffBound(backoff, n))).toEqual([
    100, 200, 400, 800, 3_200, 5_000, 5_000,
  ]);
});

test("equal jitter: half the bound, plus a random part of the other half", () => {
  expect(withJitter(800, () => 0)).toBe(400);
  expect(withJitter(800, () => 0.5)).toBe(600);
  expect(withJitter(800, () => 0.999)).toBeLessThan(800);
});

test("Retry-After is a floor: never sooner, with at most 10 % (1 s) spread on top", () => {
  expect(retryDelayMs(backoff, 1, undefined, () => 0)).toBe(50);
  expect(retryDelayMs(backoff, 1, 2_000, () => 0)).toBe(2_000);
  expect(retryDelayMs(backoff, 1, 2_000, () => 1)).toBe(2_200);
  expect(retryDelayMs(backoff, 1, 30_000, () => 1)).toBe(31_000);
  // A Retry-After shorter than the backoff does not shorten it.
  expect(retryDelayMs(backoff, 7, 0, () => 0)).toBe(2_500);
});

test("the client and the rotation function share the retry defaults", () => {
  expect(CLIENT_DEFAULTS.baseDelayMs).toBe(RETRY_DEFAULTS.baseDelayMs);
  expect(CLIENT_DEFAULTS.maxDelayMs).toBe(RETRY_DEFAULTS.maxDelayMs);
  expect(CLIENT_DEFAULTS.maxAttempts).toBe(RETRY_DEFAULTS.maxAttempts);
  const retrySource = readFileSync(join(ROOT, "lib", "togai", "retry.ts"), "utf8");
  for (const key of ["maxAttempts", "baseDelayMs", "maxDelayMs"] as const) {
    expect({ key, doc: documentedDefault(retrySource, key) }).toEqual({
      key,
      doc: String(RETRY_DEFAULTS[key]),
    });
  }
});

/** The `@default` figure in the JSDoc just above `readonly <option>?:`. */
function documentedDefault(source: string, option: string): string | undefined {
  const at = source.indexOf(`readonly ${option}?:`);
  if (at < 0) return undefined;
  const doc = source.slice(source.lastIndexOf("/**", at), at);
  return /@default (\S+)/.exec(doc)?.[1];
}

test.each<[string, Record<string, number>, string[]]>([
  ["client-options.ts", CLIENT_DEFAULTS, ["maxTokenRecheckMs", "maxThrottleMs"]],
  ["event-buffer-options.ts", BUFFER_DEFAULTS, []],
  ["token-provider.ts", TOKEN_PROVIDER_DEFAULTS, ["refreshAtFraction"]],
])("every default of %s is documented with the figure the code uses", (file, defaults, skip) => {
  const source = readFileSync(join(ROOT, "lib", "runtime", file), "utf8");
  for (const [key, value] of Object.entries(defaults)) {
    if (skip.includes(key)) continue;
    expect({ key, doc: documentedDefault(source, key) }).toEqual({ key, doc: String(value) });
  }
});

test("the README's option table shows the same defaults", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const rows = readme
    .split("\n")
    .filter((line) => /^\| (`Togai\w+`)? *\| `/.test(line))
    .map((line) => line.split("|").map((cell) => cell.trim()));
  const shown = new Map<string, string>();
  let owner = "";
  for (const [, cls, options, values] of rows) {
    if (cls) owner = cls.replaceAll("`", "");
    const names = options.split(/ \/ |, /).map((n) => n.replaceAll("`", ""));
    const figures = values.split(/ \/ |, /);
    for (const [i, name] of names.entries()) shown.set(`${owner}.${name}`, figures[i]);
  }
  const expected: Array<[string, Record<string, number>]> = [
    ["TogaiClient", CLIENT_DEFAULTS],
    ["TogaiEventBuffer", BUFFER_DEFAULTS],
    ["TogaiTokenProvider", TOKEN_PROVIDER_DEFAULTS],
  ];
  let compared = 0;
  for (const [owner, defaults] of expected) {
    for (const [key, value] of Object.entries(defaults)) {
      const figure = shown.get(`${owner}.${key}`);
      if (figure === undefined) continue;
      expect({ option: `${owner}.${key}`, figure }).toEqual({
        option: `${owner}.${key}`,
        figure: String(value),
      });
      compared++;
    }
  }
  expect(compared).toBeGreaterThanOrEqual(12);
});
