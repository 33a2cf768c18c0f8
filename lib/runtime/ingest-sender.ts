import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import type { TokenSecretValue } from "../contract";
import { isRetryable, TogaiRateLimitError } from "../togai/errors";
import { parseRetryAfter } from "../togai/retry-after";
import {
  postToTogai,
  type TogaiResponse,
  type TogaiTransport,
  togaiErrorFor,
} from "../togai/togai-api";
import type { TogaiClientOptions } from "./client-options";
import { TokenGate } from "./token-gate";

const MAX_TOKEN_RECHECK_MS = 30_000;

/**
 * Sends one ingest request with the token: retries 429/5xx/network errors with jittered backoff or
 * the `Retry-After` Togai sent (up to a cap and a total retry time), and handles a rejected token
 * through a {@link TokenGate} (one re-read, one retry, then fail fast). The payload, ids included,
 * is the same on every attempt, so a retry after an answer that was lost is not billed twice.
 */
export class IngestSender {
  requests = 0;
  private readonly gate: TokenGate;
  private pool?: { origin: string; pool: Pool };
  /** Until when Togai asked (by `Retry-After`) not to be sent to; shared by every call. */
  private notBefore = 0;

  constructor(
    private readonly options: TogaiClientOptions,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.gate = new TokenGate(
      options.tokens,
      now,
      options.tokenRecheckMs ?? 1_000,
      MAX_TOKEN_RECHECK_MS,
    );
  }

  /** Resolves to a 2xx answer (207 included); throws the typed error of any other outcome. */
  async send(path: string, payload: unknown, signal?: AbortSignal): Promise<TogaiResponse> {
    const started = this.now();
    let rejectedOnce = false;
    let probing = false;
    try {
      for (let attempt = 1; ; attempt++) {
        signal?.throwIfAborted();
        await this.respectRetryAfter(path, signal);
        let secret: TokenSecretValue;
        if (probing) secret = await this.options.tokens.getTokenSecret();
        else ({ secret, probe: probing } = await this.gate.acquire());
        const origin = this.options.baseUrl ?? secret.apiBaseUrl;
        let response: TogaiResponse | undefined;
        let failure: unknown;
        const t0 = performance.now();
        try {
          response = await postToTogai(origin, path, secret.token, payload, {
            transport: this.transportFor(origin),
            signal,
            timeoutMs: this.options.timeoutMs,
          });
        } catch (error) {
          if (signal?.aborted) throw error;
          failure = error;
        }
        this.requests++;
        const status = response?.status ?? 0;
        this.options.onRequest?.({ path, status, durationMs: performance.now() - t0, attempt });
        if (status === 401 || status === 403) {
          if (!rejectedOnce) {
            rejectedOnce = true;
            probing = (await this.gate.onRejected(probing)) === "retry";
            attempt = 0;
            continue;
          }
          if (probing) this.gate.settle({ rejected: secret.token });
          else this.gate.markRejected(secret.token);
          probing = false;
          throw this.gate.rejectedError(status, path);
        }
        if (probing && status !== 0 && status !== 429 && status < 500) {
          // Past authentication: the token is good, the waiting callers may use it.
          this.gate.settle({ accepted: secret.token });
          probing = false;
        }
        if (response && response.status < 400) return response;
        const error =
          failure ??
          togaiErrorFor(response as TogaiResponse, path, "Togai did not accept the events");
        if (!isRetryable(error) || attempt >= (this.options.maxAttempts ?? 5)) throw error;
        const delay = this.retryDelay(attempt, response, error as Error);
        if (this.now() - started + delay > (this.options.maxRetryTimeMs ?? 30_000)) throw error;
        await sleep(delay, undefined, { signal });
      }
    } finally {
      if (probing) this.gate.settle({});
    }
  }

  /** `Retry-After` when Togai sent one with 429/503 (refused above the cap), else backoff. */
  private retryDelay(attempt: number, response: TogaiResponse | undefined, error: Error): number {
    const hinted =
      response && (response.status === 429 || response.status === 503)
        ? parseRetryAfter(response.retryAfter, this.now())
        : undefined;
    if (hinted !== undefined) {
      this.notBefore = Math.max(this.notBefore, this.now() + hinted);
      const cap = this.options.maxRetryAfterMs ?? 20_000;
      if (hinted > cap) {
        error.message += ` (Togai asked to retry after ${Math.ceil(hinted / 1000)} s, above maxRetryAfterMs ${cap})`;
        throw error;
      }
      // A little jitter on top, so that clients told the same time do not return together.
      return hinted + Math.min(1000, hinted * 0.1) * this.random();
    }
    const bound = Math.min(
      this.options.maxDelayMs ?? 5_000,
      (this.options.baseDelayMs ?? 100) * 2 ** (attempt - 1),
    );
    return bound / 2 + (this.random() * bound) / 2;
  }

  /**
   * A `Retry-After` Togai sent to any call holds for every later call too: waits when it ends
   * within `maxRetryAfterMs`, else fails at once without a request (no storm of calls that each
   * get the same 429).
   */
  private async respectRetryAfter(path: string, signal?: AbortSignal): Promise<void> {
    const wait = this.notBefore - this.now();
    if (wait <= 0) return;
    if (wait > (this.options.maxRetryAfterMs ?? 20_000)) {
      throw new TogaiRateLimitError(
        `Not sent: Togai asked not to send before ${new Date(this.notBefore).toISOString()} (Retry-After, above maxRetryAfterMs)`,
        429,
        path,
      );
    }
    await sleep(wait, undefined, { signal });
  }

  async close(): Promise<void> {
    await this.pool?.pool.close();
    this.pool = undefined;
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
      const retryAfter = response.headers["retry-after"];
      return {
        status: response.statusCode,
        text: await response.body.text(),
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      };
    };
  }
}
