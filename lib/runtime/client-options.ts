import type { TokenSecretValue } from "../contract";
import { TogaiRuntimeError } from "../togai/errors";
import type { Backoff } from "../togai/retry-policy";
import { CLIENT_DEFAULTS } from "./defaults";

/** Togai's published limit of events per `/ingestBatch` request that this package sends. */
export const MAX_BATCH_SIZE = 500;

/** Where the client gets its bearer token: a {@link TogaiTokenProvider}, or your own. */
export interface TogaiTokenSource {
  /** The current token secret value; never a token past its `expiresAt`. */
  getTokenSecret(): Promise<TokenSecretValue>;
  /** Re-reads the token now (after Togai rejected one) and returns it. */
  forceRefresh(): Promise<string>;
}

/** One HTTP request the client made, for metrics and logs (never holds the token). */
export interface TogaiRequestInfo {
  /** `/ingest` or `/ingestBatch`. */
  readonly path: string;
  /** HTTP status, or 0 when no answer came (network error, timeout). */
  readonly status: number;
  /** Time from sending to the full answer, in ms. */
  readonly durationMs: number;
  /** 1 for the first attempt of a request, 2 for its first retry, and so on. */
  readonly attempt: number;
}

/** Options of {@link TogaiClient}. */
export interface TogaiClientOptions {
  /** The token source, typically `TogaiTokenProvider.fromEnvironment()`. */
  readonly tokens: TogaiTokenSource;
  /** Togai API base URL. @default the `apiBaseUrl` stored with the token */
  readonly baseUrl?: string;
  /**
   * Keep-alive connections to Togai, and requests on the wire at once: others queue in the
   * client and look at the token again when their turn comes. @default 8
   */
  readonly connections?: number;
  /** Batch requests in flight at once within one `ingestBatch` call. @default `connections` */
  readonly maxConcurrentRequests?: number;
  /** Events per `/ingestBatch` request, at most; 1 to 500. @default 500 */
  readonly maxBatchSize?: number;
  /** @deprecated Use `maxBatchSize` (same meaning, the buffer's name); removed in 0.3.0. */
  readonly batchSize?: number;
  /** Attempts per request for 429, 5xx and network errors, the first included. @default 5 */
  readonly maxAttempts?: number;
  /**
   * Bound of the first retry's delay in ms (doubles, with jitter; Togai's `Retry-After` is a floor).
   * @default 100
   */
  readonly baseDelayMs?: number;
  /** Longest backoff delay in ms (the cap of the doubling, not a batch wait). @default 5000 */
  readonly maxDelayMs?: number;
  /**
   * Longest `Retry-After` (seconds or HTTP date, on 429 and 503) the client waits, in ms. A longer
   * one is not waited for: the request fails with the rate-limit or server error, so the caller
   * can schedule it. @default 20000
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Total time one request may spend waiting, in ms: no retry starts whose wait would pass it, and
   * a client-wide back-off (`Retry-After`, a 429 to a new token) that ends later fails the call at
   * once with the retry time. Keep it below your Lambda timeout. @default 30000
   */
  readonly maxRetryTimeMs?: number;
  /** Headers and body timeout per request, in ms. @default 10000 */
  readonly timeoutMs?: number;
  /**
   * After Togai rejected the token twice, the shortest wait before the secret is re-read to look
   * for a different token (doubles up to 30 s; calls in between fail at once). Also the first
   * back-off after a 429 without `Retry-After` to a token Togai has not accepted yet (doubles up to
   * 5 min; calls wait for it when it fits their `maxRetryTimeMs` and `maxRetryAfterMs`, else fail
   * at once). @default 1000
   */
  readonly tokenRecheckMs?: number;
  /** Called after every HTTP request (metrics, logs). */
  readonly onRequest?: (info: TogaiRequestInfo) => void;
}

/** {@link TogaiClientOptions} with every default applied, resolved once per client. */
export interface ResolvedClientOptions {
  readonly tokens: TogaiTokenSource;
  readonly baseUrl?: string;
  readonly connections: number;
  readonly maxConcurrentRequests: number;
  readonly maxBatchSize: number;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly maxRetryAfterMs: number;
  readonly maxRetryTimeMs: number;
  readonly timeoutMs: number;
  readonly tokenRecheckMs: number;
  readonly onRequest?: (info: TogaiRequestInfo) => void;
}

/** Applies the defaults and the deprecated aliases, and refuses values out of range. */
export function resolveClientOptions(options: TogaiClientOptions): ResolvedClientOptions {
  const [batchName, maxBatchSize] =
    options.maxBatchSize !== undefined || options.batchSize === undefined
      ? ["maxBatchSize", options.maxBatchSize ?? CLIENT_DEFAULTS.maxBatchSize]
      : ["batchSize", options.batchSize];
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > MAX_BATCH_SIZE) {
    throw new TogaiRuntimeError(
      `${batchName} must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${maxBatchSize}`,
    );
  }
  const connections = options.connections ?? CLIENT_DEFAULTS.connections;
  return {
    tokens: options.tokens,
    baseUrl: options.baseUrl,
    connections,
    maxConcurrentRequests: options.maxConcurrentRequests ?? connections,
    maxBatchSize,
    maxAttempts: options.maxAttempts ?? CLIENT_DEFAULTS.maxAttempts,
    backoff: {
      baseDelayMs: options.baseDelayMs ?? CLIENT_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? CLIENT_DEFAULTS.maxDelayMs,
    },
    maxRetryAfterMs: options.maxRetryAfterMs ?? CLIENT_DEFAULTS.maxRetryAfterMs,
    maxRetryTimeMs: options.maxRetryTimeMs ?? CLIENT_DEFAULTS.maxRetryTimeMs,
    timeoutMs: options.timeoutMs ?? CLIENT_DEFAULTS.timeoutMs,
    tokenRecheckMs: options.tokenRecheckMs ?? CLIENT_DEFAULTS.tokenRecheckMs,
    onRequest: options.onRequest,
  };
}
