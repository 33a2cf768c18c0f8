/**
 * What one batch request, and a whole `ingestBatch` call, did to each event: accepted, failed and
 * retryable or not, or not sent because the call stopped.
 */
import { TogaiApiError, TogaiNetworkError } from "../togai/errors";
import {
  type AcceptedEvent,
  type FailedEvent,
  TogaiIngestError,
  TogaiTokenThrottledError,
} from "./errors";

/** What happened to one batch request: which of its events failed, and whether to stop. */
export interface BatchOutcome {
  readonly failed: ReadonlyArray<{ index: number; reason: string; retryable: boolean }>;
  /** The error after which no new request should start (token rejected, 400, abort...). */
  readonly fatal?: unknown;
}

/** The outcome of a batch request of `count` events that failed as a whole with `error`. */
export function failedBatch(error: unknown, count: number): BatchOutcome {
  const failure = describeFailure(error);
  return {
    failed: Array.from({ length: count }, (_, index) => ({ index, ...failure })),
    fatal: isFatal(error) ? error : undefined,
  };
}

/** Fatal: no other request of the call could succeed (token, whole request refused, abort). */
function isFatal(error: unknown): boolean {
  if (error instanceof TogaiTokenThrottledError) return true;
  if (error instanceof TogaiApiError)
    return error.status === 400 || error.status === 401 || error.status === 403;
  return !(error instanceof TogaiNetworkError);
}

export function describeFailure(error: unknown): { reason: string; retryable: boolean } {
  const refused =
    error instanceof TogaiApiError &&
    error.status < 500 &&
    error.status !== 429 &&
    error.status !== 401 &&
    error.status !== 403;
  return { reason: (error as Error).message, retryable: !refused };
}

/** The error of an `ingestBatch` call that did not deliver every event. */
export function ingestError(
  ids: ReadonlyArray<string>,
  sent: Uint8Array,
  reasons: Map<number, { reason: string; retryable: boolean }>,
  fatal: unknown,
): TogaiIngestError {
  const accepted: AcceptedEvent[] = [];
  const failed: FailedEvent[] = [];
  const notSent = `not sent: the call stopped after ${(fatal as Error | undefined)?.message ?? "an earlier failure"}`;
  ids.forEach((id, index) => {
    const failure = reasons.get(index);
    if (failure) failed.push({ index, id, ...failure });
    else if (!sent[index]) failed.push({ index, id, reason: notSent, retryable: true });
    else accepted.push({ index, id });
  });
  const first = failed[0];
  const stop = fatal === undefined ? "" : `; stopped after: ${(fatal as Error).message}`;
  return new TogaiIngestError(
    `Togai did not accept ${failed.length} of ${ids.length} events (first: event ${first.index}, id "${first.id}", ${first.reason})${stop}`,
    accepted,
    failed,
    { cause: fatal },
  );
}

/**
 * Reads which events a 207 rejected. The spec leaves the body's `details` free-form; a
 * `details.failedEvents` list of `{index, reason}` is used when present (those events were
 * refused, not retryable), otherwise every event of the request is reported as not accepted and
 * retryable (with the same ids, those that were accepted are not billed twice).
 */
export function partialFailures(
  body: unknown,
  count: number,
): Array<{ index: number; reason: string; retryable: boolean }> {
  const details = (body as { details?: { failedEvents?: unknown } } | undefined)?.details;
  const list = details?.failedEvents;
  if (Array.isArray(list)) {
    const parsed = list
      .map((f) => f as { index?: unknown; reason?: unknown; message?: unknown })
      .filter((f) => typeof f.index === "number" && f.index >= 0 && f.index < count)
      .map((f) => ({
        index: f.index as number,
        reason: String(f.reason ?? f.message ?? "rejected by Togai"),
        retryable: false,
      }));
    if (parsed.length > 0) return parsed;
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  const reason = `partial failure without per-event details${typeof message === "string" ? `: ${message}` : ""}`;
  return Array.from({ length: count }, (_, index) => ({ index, reason, retryable: true }));
}
