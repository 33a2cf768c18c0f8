/**
 * What a batch request did to each event. Invariants: a failure Togai answered about the events
 * themselves (400, 404...) is not retryable, anything else is; only failures no other request
 * could escape (token, whole request refused, abort) stop the call; a 207 without usable
 * details fails every event of the request as retryable (same ids: never billed twice).
 */
import { failedBatch, ingestError, partialFailures } from "../../lib/runtime/batch-outcome";
import { TogaiTokenThrottledError } from "../../lib/runtime/errors";
import {
  TogaiApiError,
  TogaiAuthenticationError,
  TogaiNetworkError,
  TogaiRateLimitError,
  TogaiServerError,
} from "../../lib/togai/errors";

test.each([
  ["400", new TogaiApiError("bad", 400, "/ingestBatch"), false, true],
  ["404", new TogaiApiError("gone", 404, "/ingestBatch"), false, false],
  ["401", new TogaiAuthenticationError("no", 401, "/ingestBatch"), true, true],
  ["429", new TogaiRateLimitError("slow", 429, "/ingestBatch"), true, false],
  ["503", new TogaiServerError("down", 503, "/ingestBatch"), true, false],
  ["a network error", new TogaiNetworkError("reset"), true, false],
  [
    "a throttled new token",
    new TogaiTokenThrottledError("wait", 429, "/ingestBatch", "t"),
    true,
    true,
  ],
  ["an abort", new Error("aborted"), true, true],
])("%s: retryable %p, stops the call %p", (_, error, retryable, fatal) => {
  const outcome = failedBatch(error, 2);

  expect(outcome.failed).toEqual([
    { index: 0, reason: error.message, retryable },
    { index: 1, reason: error.message, retryable },
  ]);
  expect(outcome.fatal !== undefined).toBe(fatal);
});

test("207: entries with an index outside the batch are ignored; the reason falls back to message", () => {
  const body = {
    details: {
      failedEvents: [
        { index: 0, message: "unknown account" },
        { index: 5 },
        { index: -1 },
        { index: 1 },
      ],
    },
  };

  expect(partialFailures(body, 2)).toEqual([
    { index: 0, reason: "unknown account", retryable: false },
    { index: 1, reason: "rejected by Togai", retryable: false },
  ]);
});

test("207 with no usable entries, or no body: every event of the request failed, retryable", () => {
  const none = partialFailures({ details: { failedEvents: [{ index: 9 }] } }, 2);
  expect(none.map((f) => f.retryable)).toEqual([true, true]);
  expect(none[0].reason).toBe("partial failure without per-event details");
  expect(partialFailures(undefined, 1)).toHaveLength(1);
});

test("ingestError without a fatal error lists the failures and says no call stopped", () => {
  const reasons = new Map([[1, { reason: "503", retryable: true }]]);

  const error = ingestError(["a", "b", "c"], Uint8Array.from([1, 1, 0]), reasons, undefined);

  expect(error.accepted).toEqual([{ index: 0, id: "a" }]);
  expect(error.failed).toEqual([
    { index: 1, id: "b", reason: "503", retryable: true },
    {
      index: 2,
      id: "c",
      reason: "not sent: the call stopped after an earlier failure",
      retryable: true,
    },
  ]);
  expect(error.message).toBe('Togai did not accept 2 of 3 events (first: event 1, id "b", 503)');
  expect(error.cause).toBeUndefined();
});
