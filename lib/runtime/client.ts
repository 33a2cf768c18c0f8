import { Pool } from "undici";
import type { TokenSecretValue } from "../contract";
import { TogaiAuthenticationError, TogaiResponseError, TogaiRuntimeError } from "../togai/errors";
import { withRetry } from "../togai/retry";
import {
  postToTogai,
  type TogaiResponse,
  type TogaiTransport,
  togaiErrorFor,
} from "../togai/togai-api";
import { type TogaiEvent, validateEvent } from "./event-validation";

/** Where the client gets its bearer token: a {@link TogaiTokenProvider}, or your own. */
export interface TogaiTokenSource {
  getTokenSecret(): Promise<TokenSecretValue>;
  forceRefresh(): Promise<string>;
}

/** Options of {@link TogaiClient}. */
export interface TogaiClientOptions {
  /** The token source, typically `TogaiTokenProvider.fromEnvironment()`. */
  readonly tokens: TogaiTokenSource;
  /** Togai API base URL. @default the `apiBaseUrl` stored with the token */
  readonly baseUrl?: string;
  /** Keep-alive connections to Togai. @default 8 */
  readonly connections?: number;
  /** Batch requests in flight at once. @default `connections` */
  readonly maxConcurrentRequests?: number;
  /** Events per `/ingestBatch` request, 1 to 500. @default 500 */
  readonly batchSize?: number;
  /** Attempts per request for 429, 5xx and network errors, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** First retry delay in ms (doubles, with jitter). @default 100 */
  readonly baseDelayMs?: number;
  /** Longest retry delay in ms. @default 5000 */
  readonly maxDelayMs?: number;
  /** Headers and body timeout per request, in ms. @default 10000 */
  readonly timeoutMs?: number;
}

/** An event Togai did not accept, by its index in the caller's input. */
export interface FailedEvent {
  readonly index: number;
  readonly id?: string;
  readonly reason: string;
}

/** Outcome of `ingestBatch`. */
export interface IngestBatchResult {
  /** Events Togai accepted (202, or not listed as failed in a 207). */
  readonly accepted: number;
  /** HTTP requests made, retries included. */
  readonly requests: number;
}

/** Some events of an `ingestBatch` call were not accepted; `failed` says which and why. */
export class TogaiIngestError extends TogaiRuntimeError {
  constructor(
    message: string,
    readonly failed: FailedEvent[],
    readonly accepted: number,
  ) {
    super(message);
  }
}

export interface IngestOptions {
  readonly signal?: AbortSignal;
}

const MAX_BATCH = 500;

/**
 * Sends usage events to Togai over one keep-alive undici Pool, with the short-lived token:
 * local schema checks first, batches of at most 500, bounded concurrency, retries with backoff
 * for 429/5xx/network errors, and on a 401 one token refresh and one retry.
 */
export class TogaiClient {
  private readonly options: TogaiClientOptions;
  private readonly batchSize: number;
  private pool?: { origin: string; pool: Pool };
  private requests = 0;

  constructor(options: TogaiClientOptions) {
    const batchSize = options.batchSize ?? MAX_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
      throw new TogaiRuntimeError(
        `batchSize must be a whole number from 1 to ${MAX_BATCH}, got ${batchSize}`,
      );
    }
    this.options = options;
    this.batchSize = batchSize;
  }

  /** Sends one event to `POST /ingest`. */
  async ingest(event: TogaiEvent, options: IngestOptions = {}): Promise<void> {
    validateEvent(event, 0);
    const response = await this.send("/ingest", { event }, options.signal);
    if (response.status !== 202 && response.status !== 200) {
      throw new TogaiResponseError(`Togai /ingest answered HTTP ${response.status}, expected 202`);
    }
  }

  /**
   * Sends events to `POST /ingestBatch`, at most 500 per request. Every event is checked before
   * anything is sent. Throws {@link TogaiIngestError} listing the events not accepted.
   */
  async ingestBatch(
    events: ReadonlyArray<TogaiEvent>,
    options: IngestOptions = {},
  ): Promise<IngestBatchResult> {
    events.forEach((event, index) => {
      validateEvent(event, index);
    });
    const before = this.requests;
    const chunks: Array<{ start: number; events: ReadonlyArray<TogaiEvent> }> = [];
    for (let start = 0; start < events.length; start += this.batchSize) {
      chunks.push({ start, events: events.slice(start, start + this.batchSize) });
    }
    const failed: FailedEvent[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        failed.push(...(await this.sendChunk(chunk.start, chunk.events, options.signal)));
      }
    };
    const concurrency = this.options.maxConcurrentRequests ?? this.options.connections ?? 8;
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    const accepted = events.length - failed.length;
    if (failed.length > 0) {
      failed.sort((a, b) => a.index - b.index);
      throw new TogaiIngestError(
        `Togai did not accept ${failed.length} of ${events.length} events (first: event ${failed[0].index}, ${failed[0].reason})`,
        failed,
        accepted,
      );
    }
    return { accepted, requests: this.requests - before };
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.pool?.pool.close();
    this.pool = undefined;
  }

  private async sendChunk(
    start: number,
    events: ReadonlyArray<TogaiEvent>,
    signal?: AbortSignal,
  ): Promise<FailedEvent[]> {
    const describeFailure = (index: number, reason: string): FailedEvent => ({
      index: start + index,
      id: events[index]?.id,
      reason,
    });
    let response: TogaiResponse;
    try {
      response = await this.send("/ingestBatch", { events }, signal);
    } catch (error) {
      if (error instanceof TogaiAuthenticationError || signal?.aborted) throw error;
      return events.map((_, i) => describeFailure(i, (error as Error).message));
    }
    if (response.status === 207) {
      return partialFailures(response.body, events.length).map(({ index, reason }) =>
        describeFailure(index, reason),
      );
    }
    if (response.status !== 202 && response.status !== 200) {
      return events.map((_, i) => describeFailure(i, `Togai answered HTTP ${response.status}`));
    }
    return [];
  }

  /** One request with retries; a 401 gets one token refresh and one more try. */
  private async send(path: string, payload: unknown, signal?: AbortSignal): Promise<TogaiResponse> {
    let refreshed = false;
    for (;;) {
      const secret = await this.options.tokens.getTokenSecret();
      const origin = this.options.baseUrl ?? secret.apiBaseUrl;
      const response = await withRetry(
        async () => {
          this.requests++;
          const answer = await postToTogai(origin, path, secret.token, payload, {
            transport: this.transportFor(origin),
            signal,
            timeoutMs: this.options.timeoutMs,
          });
          if (answer.status === 429 || answer.status >= 500)
            throw togaiErrorFor(answer, path, "Togai ingestion failed");
          return answer;
        },
        {
          maxAttempts: this.options.maxAttempts ?? 5,
          baseDelayMs: this.options.baseDelayMs ?? 100,
          maxDelayMs: this.options.maxDelayMs ?? 5000,
          signal,
        },
      );
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        await this.options.tokens.forceRefresh();
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw togaiErrorFor(
          response,
          path,
          "Togai rejected the token even after re-reading the token secret",
        );
      }
      if (response.status >= 400 && response.status !== 207) {
        throw togaiErrorFor(response, path, "Togai refused the events");
      }
      return response;
    }
  }

  /** Requests over one keep-alive undici Pool per origin. */
  private transportFor(origin: string): TogaiTransport {
    if (this.pool?.origin !== origin) {
      this.pool?.pool.close().catch(() => undefined);
      this.pool = {
        origin,
        pool: new Pool(origin, { connections: this.options.connections ?? 8, pipelining: 1 }),
      };
    }
    const pool = this.pool.pool;
    return async (url, init) => {
      const response = await pool.request({
        path: url.pathname,
        method: "POST",
        headers: init.headers,
        body: init.body,
        signal: init.signal,
        headersTimeout: init.timeoutMs,
        bodyTimeout: init.timeoutMs,
      });
      return { status: response.statusCode, text: await response.body.text() };
    };
  }
}

/**
 * Reads which events a 207 rejected. The spec leaves the body's `details` free-form; a
 * `details.failedEvents` list of `{index, reason}` is used when present, otherwise every event
 * of the request is reported as not accepted (never silently counted as accepted).
 */
function partialFailures(body: unknown, count: number): Array<{ index: number; reason: string }> {
  const details = (body as { details?: { failedEvents?: unknown } } | undefined)?.details;
  const list = details?.failedEvents;
  if (Array.isArray(list)) {
    const parsed = list
      .map((f) => f as { index?: unknown; reason?: unknown; message?: unknown })
      .filter((f) => typeof f.index === "number" && f.index >= 0 && f.index < count)
      .map((f) => ({
        index: f.index as number,
        reason: String(f.reason ?? f.message ?? "rejected by Togai"),
      }));
    if (parsed.length > 0) return parsed;
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  const reason = `partial failure without per-event details${typeof message === "string" ? `: ${message}` : ""}`;
  return Array.from({ length: count }, (_, index) => ({ index, reason }));
}
