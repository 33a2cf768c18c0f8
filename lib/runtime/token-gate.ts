import { setTimeout as sleep } from "node:timers/promises";
import type { TokenSecretValue } from "../contract";
import { TogaiNetworkError } from "../togai/errors";
import { backoffBound } from "../togai/retry-policy";
import type { TogaiTokenSource } from "./client-options";
import { TogaiTokenRejectedError, TogaiTokenThrottledError } from "./errors";

/**
 * Keeps a process from storming Togai with a token it rejects, without ever holding a caller
 * longer than one request.
 *
 * - A token Togai has not answered yet is sent by one request at a time (the probe); other
 *   callers wait for that request's FIRST answer only, never for its retries, and stop waiting
 *   when their signal aborts or their retry budget ends.
 * - Any answer but 401/403/429 (2xx, 400, 5xx), and also no answer (network error, timeout, which
 *   say nothing about the token), lets the token pass: every caller sends with it from then on.
 * - 429 to the probe: a per-second quota, or Togai's IP block after a few rejected credentials, so
 *   the token is not proven; the whole client backs off (`Retry-After`, else doubling from the
 *   recheck interval) and sends nothing with the token until the back-off ends. Callers whose
 *   retry budget (`deadline`) and `maxWaitMs` cover the back-off wait for it (abortable); then one
 *   of them probes again and the others wait for its answer. The others fail at once with
 *   {@link TogaiTokenThrottledError}. So at most one request per back-off while 429s go on.
 * - 401/403: the token no longer passes at once (requests queued for a connection look again
 *   before they go out); one caller re-reads the secret and retries as the probe, the others wait
 *   for its answer. A token rejected twice is remembered: calls fail at once with
 *   {@link TogaiTokenRejectedError} and re-read the secret at most once per recheck interval
 *   (doubling up to a bound) until it holds a different token.
 */
export class TokenGate {
  private passed?: string;
  private probe?: { id: number; done: Promise<void>; end: () => void };
  private probes = 0;
  private rejected?: { token: string; at: string; recheckAt: number; rechecks: number };
  private throttled?: { until: number; failures: number; waitMs: number; hinted: boolean };

  constructor(
    private readonly tokens: TogaiTokenSource,
    private readonly now: () => number,
    private readonly minRecheckMs: number,
    private readonly maxRecheckMs: number,
    private readonly maxThrottleMs: number,
    /** Longest back-off a caller waits for (the client's `maxRetryAfterMs`). */
    private readonly maxWaitMs: number,
  ) {}

  /**
   * The secret to send with. `probe` > 0: this caller sends a token not yet answered and must
   * end the probe (`pass`, `throttle`, `refused` or `release` with that id). Waits while another
   * caller probes, and for a back-off after a 429 (until `deadline`, epoch ms, the caller's retry
   * budget); fails fast on a rejected token, or on a back-off that ends too late to wait for.
   */
  async acquire(
    signal: AbortSignal | undefined,
    deadline: number,
    path = "/ingest",
  ): Promise<{ secret: TokenSecretValue; probe: number }> {
    for (;;) {
      signal?.throwIfAborted();
      const secret = await this.tokens.getTokenSecret();
      if (this.probe) {
        await this.waitForProbe(signal, deadline);
        continue;
      }
      const rejected = this.rejected;
      if (rejected && rejected.token === secret.token) {
        if (this.now() < rejected.recheckAt) throw this.rejectedError();
        rejected.rechecks++;
        const wait = backoffBound(
          { baseDelayMs: this.minRecheckMs, maxDelayMs: this.maxRecheckMs },
          rejected.rechecks + 1,
        );
        rejected.recheckAt = this.now() + wait;
        await this.tokens.forceRefresh();
        const reread = await this.tokens.getTokenSecret();
        if (reread.token === rejected.token) throw this.rejectedError();
        continue;
      }
      if (secret.token === this.passed) return { secret, probe: 0 };
      const throttled = this.throttled;
      if (throttled && this.now() < throttled.until) {
        const tooLong = this.tooLongToWait(throttled, deadline);
        if (tooLong) throw this.throttledError(path, tooLong);
        await abortableSleep(throttled.until - this.now(), signal);
        continue; // the first caller back probes; the others wait for its answer
      }
      return { secret, probe: this.startProbe() };
    }
  }

  /**
   * Whether a request holding `token` may go out now. Checked, without waiting, just before a
   * request that waited for a connection is sent: false once Togai refused the token meanwhile.
   */
  sendable(token: string): boolean {
    return token === this.passed;
  }

  /** Togai answered the probe with something other than 401/403/429, or not at all. */
  pass(probe: number, token: string): void {
    if (this.probe?.id !== probe) return;
    this.passed = token;
    this.throttled = undefined;
    this.endProbe();
  }

  /** Togai answered the probe 429: back off for the whole client (`retryAfterMs` when sent). */
  throttle(probe: number, retryAfterMs: number | undefined): void {
    if (this.probe?.id !== probe) return;
    const failures = (this.throttled?.failures ?? 0) + 1;
    // Togai's Retry-After when sent, else the doubling bound; no jitter: one client paces its own
    // single probe, and waiting callers compare their budget with the exact end of the back-off.
    const waitMs =
      retryAfterMs ??
      backoffBound({ baseDelayMs: this.minRecheckMs, maxDelayMs: this.maxThrottleMs }, failures);
    this.throttled = {
      until: this.now() + waitMs,
      failures,
      waitMs,
      hinted: retryAfterMs !== undefined,
    };
    this.endProbe();
  }

  /**
   * A first 401/403 for a call. Synchronous, so that requests still queued see it before they go
   * out. Returns the probe id when this caller re-reads the secret and retries (as the probe),
   * or 0 when another caller already does and this one waits for it (`waitForProbe`).
   */
  onRejected(token: string, probe: number): number {
    if (this.passed === token) this.passed = undefined;
    // A late 401 to an older token, after a newer one passed: no re-read needed, just retry.
    else if (this.passed !== undefined && probe === 0) return 0;
    if (probe !== 0 && this.probe?.id === probe) return probe;
    if (this.probe) return 0;
    return this.startProbe();
  }

  /** The probe re-reads the secret; a failed read ends the probe. */
  async reread(probe: number): Promise<void> {
    try {
      await this.tokens.forceRefresh();
    } catch (error) {
      this.release(probe);
      throw error;
    }
  }

  /** Togai refused `token` twice (by the probe, or by a caller that was not probing). */
  refused(probe: number, token: string): void {
    if (this.passed === token) this.passed = undefined;
    this.rejected = {
      token,
      at: new Date(this.now()).toISOString(),
      recheckAt: this.now() + this.minRecheckMs,
      rechecks: 0,
    };
    this.release(probe);
  }

  /** Ends the probe without a verdict (aborted, or it failed before an answer). */
  release(probe: number): void {
    if (probe !== 0 && this.probe?.id === probe) this.endProbe();
  }

  /**
   * Waits for the running probe's first answer; rejects when `signal` aborts or at `deadline`
   * (the caller's retry budget), whichever comes first.
   */
  async waitForProbe(signal: AbortSignal | undefined, deadline: number): Promise<void> {
    const probe = this.probe;
    if (!probe) return;
    const left = deadline - this.now();
    if (left <= 0) throw this.waitError();
    const stop = new AbortController();
    const timer = sleep(left, undefined, {
      signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
    }).then(() => {
      throw this.waitError();
    });
    try {
      await Promise.race([probe.done, timer]);
    } finally {
      stop.abort();
      timer.catch(() => undefined);
    }
    signal?.throwIfAborted();
  }

  /** The error for a token Togai rejected twice. */
  rejectedError(status = 401, path = "/ingest"): TogaiTokenRejectedError {
    const since = this.rejected ? ` since ${this.rejected.at}` : "";
    return new TogaiTokenRejectedError(
      `Togai rejected the token in the token secret${since}, also after re-reading the secret; no request is sent with it again until the secret holds a different token. Check that the rotation function succeeds (\`cdktf-togai status\`) and that the token's apiBaseUrl is the Togai environment this client sends to`,
      status,
      path,
    );
  }

  /**
   * The error when a call cannot wait for the back-off after a 429 to a token Togai had not
   * accepted yet; `why` says which bound the wait passes.
   */
  throttledError(path = "/ingest", why = ""): TogaiTokenThrottledError {
    const until = new Date(this.throttled?.until ?? this.now()).toISOString();
    return new TogaiTokenThrottledError(
      `Not sent: Togai answered HTTP 429 to the first request with the current token, so it is not known to be accepted, and the client sends no request with it before ${until}${why ? ` (${why})` : ""}. A per-second quota passes; if 429s go on, note that Togai throttles an IP for 30 minutes after 5 rejected credentials: check that the rotation function succeeds (\`cdktf-togai status\`), that the token's apiBaseUrl is the Togai environment this client sends to, and that no other process behind the same IP sends a rejected token or key`,
      429,
      path,
      until,
    );
  }

  /** Why a caller with this `deadline` cannot wait for the back-off, or "" when it can. */
  private tooLongToWait(
    throttled: { until: number; waitMs: number; hinted: boolean },
    deadline: number,
  ): string {
    const asked = throttled.hinted
      ? `Togai asked to retry after ${Math.ceil(throttled.waitMs / 1000)} s`
      : `the back-off after repeated 429s is ${Math.ceil(throttled.waitMs / 1000)} s`;
    if (throttled.until - this.now() > this.maxWaitMs) {
      return `${asked}, above maxRetryAfterMs ${this.maxWaitMs}`;
    }
    if (throttled.until > deadline) return `${asked}, beyond this call's maxRetryTimeMs`;
    return "";
  }

  private waitError(): TogaiNetworkError {
    return new TogaiNetworkError(
      "Not sent: Togai had not answered the first request with a new token within this call's maxRetryTimeMs",
    );
  }

  private startProbe(): number {
    const id = ++this.probes;
    let end = () => {};
    const done = new Promise<void>((resolve) => {
      end = resolve;
    });
    this.probe = { id, done, end };
    return id;
  }

  private endProbe(): void {
    const probe = this.probe;
    this.probe = undefined;
    probe?.end();
  }
}

/** Sleeps `ms`; when `signal` aborts first, throws its reason (as `signal.throwIfAborted()`). */
async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  }
}
