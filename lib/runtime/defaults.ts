import { RETRY_DEFAULTS } from "../togai/retry-policy";

/**
 * Every default of the consumer runtime, in one place. Each option's `@default` and the README's
 * option table repeat these figures (a test holds them to it); the code reads them only here,
 * through the options resolved once per object.
 */

/** Defaults of {@link TogaiClient}. */
export const CLIENT_DEFAULTS = {
  connections: 8,
  maxBatchSize: 500,
  maxAttempts: RETRY_DEFAULTS.maxAttempts,
  baseDelayMs: RETRY_DEFAULTS.baseDelayMs,
  maxDelayMs: RETRY_DEFAULTS.maxDelayMs,
  maxRetryAfterMs: 20_000,
  maxRetryTimeMs: 30_000,
  timeoutMs: 10_000,
  tokenRecheckMs: 1_000,
  /** Not an option: longest interval between re-reads of a secret holding a rejected token. */
  maxTokenRecheckMs: 30_000,
  /** Not an option: longest back-off after 429s to a new token (Togai's IP block lasts 30 min). */
  maxThrottleMs: 300_000,
} as const;

/** Defaults of {@link TogaiEventBuffer}. */
export const BUFFER_DEFAULTS = {
  maxBatchSize: 500,
  maxBatchDelayMs: 1_000,
  maxBufferedEvents: 10_000,
  maxConcurrentRequests: 4,
} as const;

/** Defaults of {@link TogaiTokenProvider}. */
export const TOKEN_PROVIDER_DEFAULTS = {
  refreshAtFraction: 2 / 3,
  jitterFraction: 0.1,
  expiryMarginMs: 300_000,
  minRetryIntervalMs: 1_000,
  maxRetryIntervalMs: 30_000,
  readTimeoutMs: 3_000,
} as const;
