import { setTimeout as sleep } from "node:timers/promises";
import { isRetryable, TogaiRateLimitError } from "./errors";
import { RETRY_DEFAULTS, retryDelayMs } from "./retry-policy";

/** How a call is retried. */
export interface RetryOptions {
  /** Attempts in all, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Bound of the first retry's delay, in ms; doubles on each retry. @default 100 */
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
 * next wait would pass the deadline. Delays follow the package's one retry policy
 * (`retryDelayMs`: jittered exponential backoff, Togai's `Retry-After` as a floor).
 */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
  const backoff = {
    baseDelayMs: options.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
  };
  const retryable = options.retryable ?? isRetryable;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !retryable(error)) throw error;
      const asked = error instanceof TogaiRateLimitError ? error.retryAfterMs : undefined;
      const delayMs = Math.round(retryDelayMs(backoff, attempt, asked, random));
      if (options.deadline !== undefined && Date.now() + delayMs >= options.deadline) throw error;
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, undefined, { signal: options.signal });
    }
  }
}
