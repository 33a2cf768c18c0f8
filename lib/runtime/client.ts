import { TogaiResponseError } from "../togai/errors";
import { JsonText, type TogaiResponse } from "../togai/togai-api";
import {
  type BatchOutcome,
  describeFailure,
  failedBatch,
  ingestError,
  partialFailures,
} from "./batch-outcome";
import {
  type ResolvedClientOptions,
  resolveClientOptions,
  type TogaiClientOptions,
} from "./client-options";
import { TogaiIngestError } from "./errors";
import { type TogaiEvent, validateEvent } from "./event-validation";
import { IngestSender } from "./ingest-sender";
import { prepareBatch, withId } from "./prepared-events";

export type { BatchOutcome };

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
 *
 * @example
 * import { TogaiClient, TogaiTokenProvider } from "cdktf-togai/runtime";
 *
 * const togai = new TogaiClient({ tokens: TogaiTokenProvider.fromEnvironment() });
 *
 * // Resolves to the event's id once Togai took it; retries reuse the id, so it is billed once.
 * const calls = [{ name: "calls", value: "1" }];
 * export const recordCall = (accountId: string, timestamp: string): Promise<string> =>
 *   togai.ingest({ schemaName: "api_calls", timestamp, accountId, attributes: calls, dimensions: {} });
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
   * Sends events to `POST /ingestBatch`, at most 500 per request. Every event is checked, and
   * its id fixed, before anything is sent. Each request's body is serialized once, from your
   * objects (no copy), when the request starts: do not change the events until the call
   * resolves. Throws {@link TogaiIngestError} listing accepted and failed events.
   */
  async ingestBatch(
    events: ReadonlyArray<TogaiEvent>,
    options: IngestOptions = {},
  ): Promise<IngestBatchResult> {
    this.sender.assertOpen();
    const batchSize = this.options.maxBatchSize;
    const prepared = prepareBatch(events, batchSize);
    const ids = prepared.ids;
    const before = this.sender.requests;
    const reasons = new Map<number, { reason: string; retryable: boolean }>();
    const sent = new Uint8Array(ids.length);
    let fatal: unknown;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (fatal === undefined && next < prepared.count && !options.signal?.aborted) {
        const body = next++;
        const start = body * batchSize;
        const count = Math.min(batchSize, ids.length - start);
        sent.fill(1, start, start + count);
        const outcome = await this.sendBody(prepared.body(body), count, options.signal);
        for (const { index, reason, retryable } of outcome.failed) {
          reasons.set(start + index, { reason, retryable });
        }
        if (outcome.fatal !== undefined && fatal === undefined) fatal = outcome.fatal;
      }
    };
    const workers = Math.min(this.options.maxConcurrentRequests, prepared.count);
    await Promise.all(Array.from({ length: workers }, worker));
    if (fatal === undefined && options.signal?.aborted) fatal = options.signal.reason;
    if (reasons.size === 0 && fatal === undefined) {
      return { accepted: ids.length, requests: this.sender.requests - before, ids };
    }
    throw ingestError(ids, sent, reasons, fatal);
  }

  /**
   * Sends one batch of already validated events that all carry an id; never throws. Used by
   * {@link TogaiEventBuffer}.
   * @internal
   */
  sendPrepared(events: ReadonlyArray<TogaiEvent>, signal?: AbortSignal): Promise<BatchOutcome> {
    return this.sendBody(new JsonText(JSON.stringify({ events })), events.length, signal);
  }

  /** Sends one serialized `/ingestBatch` body of `count` events; never throws. */
  private async sendBody(
    body: JsonText,
    count: number,
    signal?: AbortSignal,
  ): Promise<BatchOutcome> {
    let response: TogaiResponse;
    try {
      response = await this.sender.send("/ingestBatch", body, signal);
    } catch (error) {
      return failedBatch(error, count);
    }
    if (response.status === 207) return { failed: partialFailures(response.body, count) };
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
