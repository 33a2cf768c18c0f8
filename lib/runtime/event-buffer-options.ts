import { TogaiRuntimeError } from "../togai/errors";
import type { TogaiClient } from "./client";
import { MAX_BATCH_SIZE } from "./client-options";
import { BUFFER_DEFAULTS } from "./defaults";
import type { TogaiEvent } from "./event-validation";

/** An event the buffer could not deliver, with the id to retry it with. */
export interface UndeliveredEvent {
  /** The event as it was sent (with its id): `add()` it again to retry, nothing is billed twice. */
  readonly event: TogaiEvent;
  readonly id: string;
  readonly reason: string;
  /** False when Togai refused the event itself (retrying will not help). */
  readonly retryable: boolean;
}

/** What a `flush()` delivered since the previous one. */
export interface FlushResult {
  /** Events Togai accepted. */
  readonly accepted: number;
  /** Events not delivered, each also passed to `onFailure`. */
  readonly failed: ReadonlyArray<UndeliveredEvent>;
}

/** Options of {@link TogaiEventBuffer}. */
export interface TogaiEventBufferOptions {
  /** The client that sends the batches (its retries, token handling and timeouts apply). */
  readonly client: TogaiClient;
  /** Events per request, 1 to 500. @default 500 */
  readonly maxBatchSize?: number;
  /**
   * Longest time an event waits for its batch to fill before it is sent anyway, in ms.
   * @default 1000
   */
  readonly maxBatchDelayMs?: number;
  /**
   * @deprecated Use `maxBatchDelayMs` (the client's `maxDelayMs` is its backoff cap, another
   * thing); removed in 0.3.0.
   */
  readonly maxDelayMs?: number;
  /**
   * Events held in memory: waiting, in flight, and undelivered ones kept for the next `flush()`.
   * When full, `add()` throws {@link TogaiBufferFullError} (back-pressure: wait for `whenRoom()`),
   * it never drops an event. @default 10000
   */
  readonly maxBufferedEvents?: number;
  /** Batch requests in flight at once. @default 4 */
  readonly maxConcurrentRequests?: number;
  /**
   * Called with the events of each batch that failed, as soon as it failed. It may be async. An
   * error it throws, or a promise it returns that rejects, is caught and reported once as a
   * process warning (`process.emitWarning`, printed to stderr; listen with
   * `process.on("warning")`): it never ends the process, and the events stay in `flush()`'s result.
   */
  readonly onFailure?: (failed: ReadonlyArray<UndeliveredEvent>) => void;
}

/** {@link TogaiEventBufferOptions} with every default applied, resolved once per buffer. */
export interface ResolvedBufferOptions {
  readonly maxBatchSize: number;
  readonly maxBatchDelayMs: number;
  readonly maxBufferedEvents: number;
  readonly maxConcurrentRequests: number;
  readonly onFailure?: (failed: ReadonlyArray<UndeliveredEvent>) => void;
}

/** Applies the defaults and the deprecated alias, and refuses values out of range. */
export function resolveBufferOptions(options: TogaiEventBufferOptions): ResolvedBufferOptions {
  const delayName =
    options.maxBatchDelayMs === undefined && options.maxDelayMs !== undefined
      ? "maxDelayMs"
      : "maxBatchDelayMs";
  const resolved = {
    maxBatchSize: options.maxBatchSize ?? BUFFER_DEFAULTS.maxBatchSize,
    maxBatchDelayMs:
      options.maxBatchDelayMs ?? options.maxDelayMs ?? BUFFER_DEFAULTS.maxBatchDelayMs,
    maxBufferedEvents: options.maxBufferedEvents ?? BUFFER_DEFAULTS.maxBufferedEvents,
    maxConcurrentRequests: options.maxConcurrentRequests ?? BUFFER_DEFAULTS.maxConcurrentRequests,
    onFailure: options.onFailure,
  };
  const check = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new TogaiRuntimeError(
        `${name} must be a whole number from ${min} to ${max}, got ${value}`,
      );
    }
  };
  check("maxBatchSize", resolved.maxBatchSize, 1, MAX_BATCH_SIZE);
  check(
    "maxBufferedEvents",
    resolved.maxBufferedEvents,
    resolved.maxBatchSize,
    Number.MAX_SAFE_INTEGER,
  );
  check("maxConcurrentRequests", resolved.maxConcurrentRequests, 1, 64);
  check(delayName, resolved.maxBatchDelayMs, 0, 3_600_000);
  return resolved;
}
