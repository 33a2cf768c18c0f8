import { setTimeout as sleep } from "node:timers/promises";
import { isRetryable, TogaiRateLimitError } from "./errors";

/** How a call is retried. */
export interface RetryOptions {
  /** Attempts in all, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Delay before the first retry, in ms; doubles on each retry. @default 200 */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay, in ms. @default 5000 */
  readonly maxDelayMs?: number;
  /**
   * Epoch ms after which no new attempt starts (e.g. the Lambda's deadline minus a margin).
   * A delay that would end past it is not slept: the last error is thrown instead.
   * @default no deadline
   */
  readonly deadline?: number;
  /** Whether an error is worth another attempt. @default isRetryable (429, 5xx, network) */
  readonly retryable?: (error: unknown) => boolean;
  /** Called before each retry (for logging). */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Aborts the wait between attempts. */
  readonly signal?: AbortSignal;
  /** Random source in [0, 1), replaceable in tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Runs `call` until it succeeds, fails with a non-retryable error, runs out of attempts, or the
 * next wait would pass the deadline. Delays use "equal jitter" (half the exponential bound plus a
 * random part of the other half) so that clients failing together do not retry together.
 */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const retryable = options.retryable ?? isRetryable;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !retryable(error)) throw error;
      const bound = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      // Togai's Retry-After is a floor: asking sooner prolongs a throttle that may hold the IP.
      const asked = error instanceof TogaiRateLimitError ? (error.retryAfterMs ?? 0) : 0;
      const delayMs = Math.max(asked, Math.round(bound / 2 + (random() * bound) / 2));
      if (options.deadline !== undefined && Date.now() + delayMs >= options.deadline) throw error;
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, undefined, { signal: options.signal });
    }
  }
}
