import { isRetryable, TogaiAuthenticationError, TogaiRateLimitError } from "../togai/errors";
import { PUT_API_KEY_HINT } from "../togai/put-api-key-hint";
import { withRetry } from "../togai/retry";
import { authenticate } from "../togai/togai-api";
import { RotationError } from "./errors";
import type { JsonLogger } from "./logger";

/** Togai refused the pending token (401/403): it will never pass testSecret. */
export class PendingTokenRejectedError extends RotationError {}

/** Togai refused the secret key (401/403): no attempt with this key can mint a token. */
export class KeyRejectedError extends RotationError {}

/** One `/authenticate` call of a rotation step. */
export interface TogaiCall {
  readonly apiBaseUrl: string;
  readonly credential: string;
  /** "mint" with the secret key, "check" with the pending token. */
  readonly purpose: "mint" | "check";
  /** Epoch ms after which no new attempt starts. */
  readonly deadline: number;
  readonly apiKeySecretArn: string;
  readonly log: JsonLogger;
  readonly random?: () => number;
}

/**
 * `/authenticate` with retries for 429, 5xx and network errors only, bounded by the Lambda's
 * deadline. A rejected credential is not retried: Togai throttles an IP after a few.
 */
export async function callAuthenticate(call: TogaiCall): Promise<string> {
  const { purpose, log, deadline } = call;
  try {
    return await withRetry(
      (attempt) => {
        log.info("calling Togai /authenticate", { purpose, attempt });
        return authenticate(call.apiBaseUrl, call.credential, {
          timeoutMs: Math.max(1_000, Math.min(10_000, deadline - Date.now())),
        });
      },
      {
        maxAttempts: 8,
        deadline,
        // Checking a pending token that Togai may refuse: a 429 may be Togai's IP block after
        // rejected credentials, which every further attempt would prolong. One attempt only.
        retryable: (error) =>
          isRetryable(error) && !(purpose === "check" && error instanceof TogaiRateLimitError),
        random: call.random,
        onRetry: ({ attempt, delayMs, error }) =>
          log.warn("Togai call failed, retrying", {
            purpose,
            attempt,
            delayMs,
            reason: (error as Error).message,
          }),
      },
    );
  } catch (error) {
    if (error instanceof TogaiAuthenticationError && purpose === "mint") {
      throw new KeyRejectedError(
        `Togai rejected the secret key stored in ${call.apiKeySecretArn} (HTTP ${error.status}); not retried, as Togai throttles an IP after a few rejected keys. Put a valid key: ${PUT_API_KEY_HINT}`,
      );
    }
    if (error instanceof TogaiRateLimitError && purpose === "check") {
      throw new RotationError(
        `Togai throttled the check of the pending token (HTTP 429; not retried, as Togai may be throttling this IP after rejected credentials); Secrets Manager's next re-attempt checks again, AWSCURRENT keeps the previous token`,
      );
    }
    if (error instanceof TogaiAuthenticationError) {
      throw new PendingTokenRejectedError(
        `Togai rejected the pending token (HTTP ${error.status}); AWSCURRENT keeps the previous token`,
      );
    }
    throw error;
  }
}
