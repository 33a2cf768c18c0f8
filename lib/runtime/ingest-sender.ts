import { setTimeout as sleep } from "node:timers/promises";
import type { TokenSecretValue } from "../contract";
import { isRetryable, TogaiRateLimitError, TogaiServerError } from "../togai/errors";
import { parseRetryAfter } from "../togai/retry-after";
import { retryDelayMs } from "../togai/retry-policy";
import { postToTogai, type TogaiResponse, togaiErrorFor } from "../togai/togai-api";
import type { ResolvedClientOptions } from "./client-options";
import { CLIENT_DEFAULTS } from "./defaults";
import { TogaiClientClosedError } from "./errors";
import { PoolTransport } from "./pool-transport";
import { RequestSlots } from "./request-slots";
import { TokenGate } from "./token-gate";

/**
 * Sends one ingest request with the token: retries 429/5xx/network errors with jittered backoff or
 * the `Retry-After` Togai sent (up to a cap and a total retry time), and handles a new or rejected
 * token through a {@link TokenGate}. The payload, ids included, is the same on every attempt, so a
 * retry after an answer that was lost is not billed twice. At most `connections` requests are on
 * the wire; the others wait in {@link RequestSlots}, and look at the token again when their turn
 * comes.
 */
export class IngestSender {
  requests = 0;
  private readonly gate: TokenGate;
  private readonly slots: RequestSlots;
  private readonly transport: PoolTransport;
  private closed = false;
  /** Until when Togai asked (by `Retry-After`) not to be sent to; shared by every call. */
  private notBefore = 0;

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.gate = new TokenGate(
      options.tokens,
      now,
      options.tokenRecheckMs,
      CLIENT_DEFAULTS.maxTokenRecheckMs,
      CLIENT_DEFAULTS.maxThrottleMs,
      options.maxRetryAfterMs,
    );
    this.slots = new RequestSlots(options.connections);
    this.transport = new PoolTransport(options.connections);
  }

  /** Throws {@link TogaiClientClosedError} after `close()`. */
  assertOpen(): void {
    if (this.closed) {
      throw new TogaiClientClosedError(
        "This TogaiClient was closed: create a new client to send more events",
      );
    }
  }

  /** Resolves to a 2xx answer (207 included); throws the typed error of any other outcome. */
  async send(path: string, payload: unknown, signal?: AbortSignal): Promise<TogaiResponse> {
    this.assertOpen();
    const started = this.now();
    const deadline = started + this.options.maxRetryTimeMs;
    let rejectedOnce = false;
    let probe = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        signal?.throwIfAborted();
        this.assertOpen();
        await this.respectRetryAfter(path, deadline, signal);
        let secret: TokenSecretValue;
        if (probe !== 0) secret = await this.options.tokens.getTokenSecret();
        else ({ secret, probe } = await this.gate.acquire(signal, deadline, path));
        await this.slots.acquire(signal);
        if (this.closed) {
          // close() ran while this request waited: it is not sent (nothing would close a new pool).
          this.slots.release();
          this.assertOpen();
        }
        if (probe === 0 && (!this.gate.sendable(secret.token) || this.now() < this.notBefore)) {
          // While it waited for a connection, Togai refused the token or asked to wait: look again.
          this.slots.release();
          attempt--;
          continue;
        }
        let response: TogaiResponse | undefined;
        let failure: unknown;
        let retryAs = -1;
        let throttled = false;
        const t0 = performance.now();
        try {
          try {
            response = await postToTogai(
              this.options.baseUrl ?? secret.apiBaseUrl,
              path,
              secret.token,
              payload,
              {
                transport: this.transport.for(this.options.baseUrl ?? secret.apiBaseUrl),
                signal,
                timeoutMs: this.options.timeoutMs,
              },
            );
          } catch (error) {
            if (signal?.aborted) throw error;
            failure = error;
          }
          this.requests++;
          const status = response?.status ?? 0;
          this.options.onRequest?.({ path, status, durationMs: performance.now() - t0, attempt });
          // Before the connection is handed on: the next queued request must see this answer.
          if (status === 401 || status === 403) {
            if (rejectedOnce) {
              this.gate.refused(probe, secret.token);
              probe = 0;
            } else retryAs = this.gate.onRejected(secret.token, probe);
          } else if (probe !== 0 && status === 429) {
            // Not proven: back off; gate.acquire waits (within this call's budget) or fails fast.
            this.gate.throttle(probe, this.retryAfterMs(response));
            probe = 0;
            throttled = true;
          } else if (probe !== 0) {
            // Past authentication, or no answer at all (which says nothing about the token).
            this.gate.pass(probe, secret.token);
            probe = 0;
          }
        } finally {
          this.slots.release();
        }
        if (throttled) {
          const maxAttempts = this.options.maxAttempts;
          if (attempt >= maxAttempts) {
            throw this.gate.throttledError(path, `${attempt} attempts, maxAttempts ${maxAttempts}`);
          }
          continue;
        }
        const status = response?.status ?? 0;
        if (status === 401 || status === 403) {
          if (retryAs < 0) throw this.gate.rejectedError(status, path);
          rejectedOnce = true;
          attempt = 0;
          probe = retryAs;
          if (probe !== 0) await this.gate.reread(probe);
          else await this.gate.waitForProbe(signal, deadline);
          continue;
        }
        if (response && response.status < 400) return response;
        const error =
          failure ??
          togaiErrorFor(response as TogaiResponse, path, "Togai did not accept the events");
        if (!isRetryable(error) || attempt >= this.options.maxAttempts) throw error;
        const delay = this.retryDelay(attempt, response, error as Error);
        const budget = this.options.maxRetryTimeMs;
        if (this.now() - started + delay > budget) {
          const hinted = this.retryAfterMs(response);
          if (hinted === undefined) throw error;
          throw notWaitedFor(
            error as Error,
            hinted,
            `beyond this call's maxRetryTimeMs ${budget}`,
            this.now(),
          );
        }
        await sleep(delay, undefined, { signal });
      }
    } finally {
      this.gate.release(probe);
    }
  }

  /** The `Retry-After` of a 429/503, in ms from now, when Togai sent one. */
  private retryAfterMs(response: TogaiResponse | undefined): number | undefined {
    return response && (response.status === 429 || response.status === 503)
      ? parseRetryAfter(response.retryAfter, this.now())
      : undefined;
  }

  /**
   * The package's retry policy: jittered backoff, never sooner than a `Retry-After` Togai sent
   * with 429/503 (which also holds the whole client back; above `maxRetryAfterMs` it is refused).
   */
  private retryDelay(attempt: number, response: TogaiResponse | undefined, error: Error): number {
    const hinted = this.retryAfterMs(response);
    if (hinted !== undefined) {
      this.notBefore = Math.max(this.notBefore, this.now() + hinted);
      const cap = this.options.maxRetryAfterMs;
      if (hinted > cap)
        throw notWaitedFor(error, hinted, `above maxRetryAfterMs ${cap}`, this.now());
    }
    return retryDelayMs(this.options.backoff, attempt, hinted, this.random);
  }

  /**
   * A `Retry-After` Togai sent to any call holds for every later call too: waits when it ends
   * within `maxRetryAfterMs` and before `deadline` (this call's `maxRetryTimeMs`), else fails at
   * once without a request, with the retry time (no storm of calls that each get the same 429,
   * and no wait past the caller's budget).
   */
  private async respectRetryAfter(
    path: string,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const now = this.now();
    const wait = this.notBefore - now;
    if (wait <= 0) return;
    const cap = this.options.maxRetryAfterMs;
    const why =
      wait > cap
        ? `above maxRetryAfterMs ${cap}`
        : this.notBefore > deadline
          ? `beyond this call's maxRetryTimeMs ${this.options.maxRetryTimeMs}`
          : "";
    if (why) {
      const retryAt = new Date(this.notBefore).toISOString();
      const error = new TogaiRateLimitError(
        `Not sent: Togai asked not to send before ${retryAt} (Retry-After, ${why}); send again after retryAt, with the same ids`,
        429,
        path,
      );
      error.retryAfterMs = wait;
      error.retryAt = retryAt;
      throw error;
    }
    await sleep(wait, undefined, { signal });
  }

  /** Final: later sends throw {@link TogaiClientClosedError}; requests in flight complete. */
  async close(): Promise<void> {
    this.closed = true;
    await this.transport.close();
  }
}

/**
 * The error of an answer whose `Retry-After` is not waited for (`why`): a new error of the same
 * kind, the original as its `cause`, with the wait and the time to send again.
 */
function notWaitedFor(error: Error, waitMs: number, why: string, now: number): Error {
  const message = `${error.message} (Togai asked to retry after ${Math.ceil(waitMs / 1000)} s, ${why})`;
  if (error instanceof TogaiRateLimitError) {
    const limited = new TogaiRateLimitError(message, error.status, error.path, error.togaiMessage, {
      cause: error,
    });
    limited.retryAfterMs = waitMs;
    limited.retryAt = new Date(now + waitMs).toISOString();
    return limited;
  }
  if (error instanceof TogaiServerError) {
    return new TogaiServerError(message, error.status, error.path, error.togaiMessage, {
      cause: error,
    });
  }
  return error;
}
