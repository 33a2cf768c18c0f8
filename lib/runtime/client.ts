import { randomUUID } from "node:crypto";
import { TogaiApiError, TogaiNetworkError, TogaiResponseError } from "../togai/errors";
import type { TogaiResponse } from "../togai/togai-api";
import {
  type ResolvedClientOptions,
  resolveClientOptions,
  type TogaiClientOptions,
} from "./client-options";
import {
  type AcceptedEvent,
  type FailedEvent,
  InvalidEventError,
  TogaiIngestError,
  TogaiTokenThrottledError,
} from "./errors";
import { type TogaiEvent, validateEvent } from "./event-validation";
import { IngestSender } from "./ingest-sender";

/** Outcome of `ingestBatch`. */
export interface IngestBatchResult {
  /** Events Togai accepted (all of them: otherwise the call throws {@link TogaiIngestError}). */
  readonly accepted: number;
  /** HTTP requests made, retries included. */
  readonly requests: number;
  /** The id each event was sent with, in input order (the caller's, or one assigned). */
  readonly ids: ReadonlyArray<string>;
}

/** Per-call options of `ingest` and `ingestBatch`. */
export interface IngestOptions {
  /** Aborts the call: no new request starts, and the error lists what was accepted. */
  readonly signal?: AbortSignal;
}

/** What happened to one batch request: which of its events failed, and whether to stop. */
export interface BatchOutcome {
  readonly failed: ReadonlyArray<{ index: number; reason: string; retryable: boolean }>;
  /** The error after which no new request should start (token rejected, 400, abort...). */
  readonly fatal?: unknown;
}

/**
 * The event as sent: with the caller's id, or a new one assigned once, before any attempt. A copy
 * of the (validated) event, so that a caller reusing or changing its object after `add()` or
 * during a call cannot change what is billed nor make Togai refuse a whole batch.
 */
export function withId(event: TogaiEvent): TogaiEvent & { readonly id: string } {
  return {
    id: event.id ?? randomUUID(),
    schemaName: event.schemaName,
    timestamp: event.timestamp,
    accountId: event.accountId,
    attributes: event.attributes.map((a) =>
      a.unit === undefined
        ? { name: a.name, value: a.value }
        : { name: a.name, value: a.value, unit: a.unit },
    ),
    dimensions: { ...event.dimensions },
  };
}

/** Two events of one call with the same id: Togai would keep only the first, yet both look accepted. */
function refuseDuplicateIds(events: ReadonlyArray<TogaiEvent>): void {
  const seen = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.id === undefined) return;
    const first = seen.get(event.id);
    if (first !== undefined) {
      throw new InvalidEventError(
        `Event ${index} (id "${event.id.slice(0, 64)}"): id is also the id of event ${first}; Togai keeps one event per id, so the second would not be billed. Give each event its own id`,
        index,
        "id",
      );
    }
    seen.set(event.id, index);
  });
}

/**
 * Sends usage events to Togai over one keep-alive undici Pool, with the short-lived token.
 *
 * - Exactly once under retries: every event carries an `id` (Togai's idempotency key), the
 *   caller's or one assigned before the first attempt and reused on every retry.
 * - Local schema checks first; batches of at most 500; bounded concurrency.
 * - Retries 429/5xx/network errors with jittered backoff, honouring `Retry-After` up to
 *   `maxRetryAfterMs`, within `maxRetryTimeMs` per request.
 * - A new token is sent by one request until Togai first answers; a rejected token: one re-read
 *   of the secret and one retry; after that, fail fast with `TogaiTokenRejectedError` until the
 *   secret holds a different token. A 429 to a new token backs the whole client off: one
 *   request per back-off; calls wait for it within their budget, else fail fast with
 *   `TogaiTokenThrottledError`.
 * - After a fatal answer no new request of the call starts; {@link TogaiIngestError} lists the
 *   accepted and the failed events by index and id.
 */
export class TogaiClient {
  private readonly options: ResolvedClientOptions;
  private readonly sender: IngestSender;

  constructor(options: TogaiClientOptions) {
    this.options = resolveClientOptions(options);
    this.sender = new IngestSender(this.options);
  }

  /** HTTP requests made so far, retries included. */
  get requests(): number {
    return this.sender.requests;
  }

  /**
   * Sends one event to `POST /ingest` and resolves to the id it was sent with. Throws
   * {@link InvalidEventError} before sending, or {@link TogaiIngestError} (its `cause` is the
   * typed reason) when Togai did not accept it.
   */
  async ingest(event: TogaiEvent, options: IngestOptions = {}): Promise<string> {
    this.sender.assertOpen();
    validateEvent(event, 0);
    const sent = withId(event);
    try {
      const response = await this.sender.send("/ingest", { event: sent }, options.signal);
      if (response.status !== 202 && response.status !== 200) {
        throw new TogaiResponseError(
          `Togai /ingest answered HTTP ${response.status}, expected 202`,
        );
      }
    } catch (error) {
      const failed = [{ index: 0, id: sent.id, ...describeFailure(error) }];
      throw new TogaiIngestError(
        `Togai did not accept event 0 (id "${sent.id}"): ${(error as Error).message}`,
        [],
        failed,
        { cause: error },
      );
    }
    return sent.id;
  }

  /**
   * Sends events to `POST /ingestBatch`, at most 500 per request. Every event is checked before
   * anything is sent. Throws {@link TogaiIngestError} listing accepted and failed events.
   */
  async ingestBatch(
    events: ReadonlyArray<TogaiEvent>,
    options: IngestOptions = {},
  ): Promise<IngestBatchResult> {
    this.sender.assertOpen();
    for (let index = 0; index < events.length; index++) validateEvent(events[index], index);
    refuseDuplicateIds(events);
    const prepared = events.map(withId);
    const before = this.sender.requests;
    const reasons = new Map<number, { reason: string; retryable: boolean }>();
    const sent = new Uint8Array(prepared.length);
    let fatal: unknown;
    let next = 0;
    const batchSize = this.options.maxBatchSize;
    const worker = async (): Promise<void> => {
      while (fatal === undefined && next < prepared.length && !options.signal?.aborted) {
        const start = next;
        next += batchSize;
        const chunk = prepared.slice(start, start + batchSize);
        sent.fill(1, start, start + chunk.length);
        const outcome = await this.sendPrepared(chunk, options.signal);
        for (const { index, reason, retryable } of outcome.failed) {
          reasons.set(start + index, { reason, retryable });
        }
        if (outcome.fatal !== undefined && fatal === undefined) fatal = outcome.fatal;
      }
    };
    const chunks = Math.ceil(prepared.length / batchSize);
    const workers = Math.min(this.options.maxConcurrentRequests, chunks);
    await Promise.all(Array.from({ length: workers }, worker));
    if (fatal === undefined && options.signal?.aborted) fatal = options.signal.reason;
    const ids = prepared.map((e) => e.id);
    if (reasons.size === 0 && fatal === undefined) {
      return { accepted: prepared.length, requests: this.sender.requests - before, ids };
    }
    throw ingestError(ids, sent, reasons, fatal);
  }

  /**
   * Sends one batch of already validated events that all carry an id; never throws. Used by
   * {@link TogaiEventBuffer}.
   * @internal
   */
  async sendPrepared(
    events: ReadonlyArray<TogaiEvent>,
    signal?: AbortSignal,
  ): Promise<BatchOutcome> {
    let response: TogaiResponse;
    try {
      response = await this.sender.send("/ingestBatch", { events }, signal);
    } catch (error) {
      const failure = describeFailure(error);
      return {
        failed: events.map((_, index) => ({ index, ...failure })),
        fatal: isFatal(error) ? error : undefined,
      };
    }
    if (response.status === 207) return { failed: partialFailures(response.body, events.length) };
    return { failed: [] };
  }

  /**
   * Closes the connection pool, for good: calls in flight complete, later calls throw
   * {@link TogaiClientClosedError} (a closed client never opens a new pool behind your back).
   */
  async close(): Promise<void> {
    await this.sender.close();
  }
}

/** Fatal: no other request of the call could succeed (token, whole request refused, abort). */
function isFatal(error: unknown): boolean {
  if (error instanceof TogaiTokenThrottledError) return true;
  if (error instanceof TogaiApiError)
    return error.status === 400 || error.status === 401 || error.status === 403;
  return !(error instanceof TogaiNetworkError);
}

function describeFailure(error: unknown): { reason: string; retryable: boolean } {
  const refused =
    error instanceof TogaiApiError &&
    error.status < 500 &&
    error.status !== 429 &&
    error.status !== 401 &&
    error.status !== 403;
  return { reason: (error as Error).message, retryable: !refused };
}

function ingestError(
  ids: string[],
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
function partialFailures(
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
