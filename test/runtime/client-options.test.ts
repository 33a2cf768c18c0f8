/**
 * The client's options, resolved once: defaults, the deprecated `batchSize` alias, and refusal of
 * out-of-range batch sizes under the name the caller used (so the message points at their code).
 */
import { MAX_BATCH_SIZE, resolveClientOptions } from "../../lib/runtime/client-options";
import { CLIENT_DEFAULTS } from "../../lib/runtime/defaults";
import { TogaiRuntimeError } from "../../lib/togai/errors";
import { scriptedTokens } from "./scripted-transport";

const tokens = scriptedTokens();

test("with no options every default applies; concurrency follows connections", () => {
  expect(resolveClientOptions({ tokens })).toEqual({
    tokens,
    baseUrl: undefined,
    connections: CLIENT_DEFAULTS.connections,
    maxConcurrentRequests: CLIENT_DEFAULTS.connections,
    maxBatchSize: CLIENT_DEFAULTS.maxBatchSize,
    maxAttempts: CLIENT_DEFAULTS.maxAttempts,
    backoff: { baseDelayMs: CLIENT_DEFAULTS.baseDelayMs, maxDelayMs: CLIENT_DEFAULTS.maxDelayMs },
    maxRetryAfterMs: CLIENT_DEFAULTS.maxRetryAfterMs,
    maxRetryTimeMs: CLIENT_DEFAULTS.maxRetryTimeMs,
    timeoutMs: CLIENT_DEFAULTS.timeoutMs,
    tokenRecheckMs: CLIENT_DEFAULTS.tokenRecheckMs,
    onRequest: undefined,
  });
  expect(resolveClientOptions({ tokens, connections: 3 }).maxConcurrentRequests).toBe(3);
});

test("the deprecated batchSize is read when maxBatchSize is not given, and loses to it", () => {
  expect(resolveClientOptions({ tokens, batchSize: 50 }).maxBatchSize).toBe(50);
  expect(resolveClientOptions({ tokens, batchSize: 50, maxBatchSize: 20 }).maxBatchSize).toBe(20);
});

test.each([
  [{ maxBatchSize: 0 }, "maxBatchSize must be a whole number from 1 to 500, got 0"],
  [
    { maxBatchSize: MAX_BATCH_SIZE + 1 },
    "maxBatchSize must be a whole number from 1 to 500, got 501",
  ],
  [{ batchSize: 2.5 }, "batchSize must be a whole number from 1 to 500, got 2.5"],
])("an out-of-range batch size %p is refused under its own name", (options, message) => {
  expect(() => resolveClientOptions({ tokens, ...options })).toThrow(TogaiRuntimeError);
  expect(() => resolveClientOptions({ tokens, ...options })).toThrow(message);
});
