/**
 * The one retry policy of this package: exponential backoff with jitter, and Togai's
 * `Retry-After` as a floor. Used by `withRetry` (rotation function, CLI), the ingest client's
 * sender, its token gate and the token provider, so that they cannot drift apart.
 */

/** Defaults of a retried call, shared by the rotation function and the ingest client. */
export const RETRY_DEFAULTS = {
  /** Attempts in all, the first included. */
  maxAttempts: 5,
  /** Bound of the first retry's wait, in ms; doubles on each retry. */
  baseDelayMs: 100,
  /** Upper bound of one wait, in ms. */
  maxDelayMs: 5_000,
} as const;

/** Where waits start and how far they grow. */
export interface Backoff {
  /** Bound of the first wait, in ms. */
  readonly baseDelayMs: number;
  /** Largest bound, in ms. */
  readonly maxDelayMs: number;
}

/** Bound of the wait before retry `n` (1 = the first retry): `baseDelayMs` doubling, capped. */
export function backoffBound(backoff: Backoff, n: number): number {
  return Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.max(0, n - 1));
}

/**
 * "Equal jitter": half the bound plus a random part of the other half, so that clients failing
 * together do not retry together, while no wait is shorter than half the bound.
 */
export function withJitter(bound: number, random: () => number): number {
  return bound / 2 + (random() * bound) / 2;
}

/**
 * The wait before retry `n`: the jittered backoff, and never sooner than Togai's `Retry-After`
 * when it sent one (asking sooner prolongs a throttle that may hold the whole IP), plus a little
 * spread on top (10 %, at most 1 s) so that clients told the same time do not return together.
 */
export function retryDelayMs(
  backoff: Backoff,
  n: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const jittered = withJitter(backoffBound(backoff, n), random);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, retryAfterMs + Math.min(1_000, retryAfterMs * 0.1) * random());
}
