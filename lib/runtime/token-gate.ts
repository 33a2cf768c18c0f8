import type { TokenSecretValue } from "../contract";
import type { TogaiTokenSource } from "./client-options";
import { TogaiTokenRejectedError } from "./errors";

/**
 * Keeps a process from storming Togai with a token it rejects.
 *
 * - A token Togai has not accepted yet is tried by one request at a time (the probe); other
 *   requests wait for its answer instead of sending the same token in parallel.
 * - On a 401/403 the probe re-reads the secret and retries once.
 * - A token rejected twice is remembered: later calls fail at once with
 *   {@link TogaiTokenRejectedError} and re-read the secret at most once per recheck interval
 *   (doubling up to a bound) until it holds a different token.
 *
 * So a process sends at most two requests with a rejected token, however many callers it has.
 */
export class TokenGate {
  private proven?: string;
  private probe?: { done: Promise<void>; end: () => void };
  private rejected?: { token: string; at: string; recheckAt: number; rechecks: number };

  constructor(
    private readonly tokens: TogaiTokenSource,
    private readonly now: () => number,
    private readonly minRecheckMs: number,
    private readonly maxRecheckMs: number,
  ) {}

  /**
   * The secret to send with. `probe` true: this caller tries a token not yet accepted and must
   * end with `settle`. Waits while another caller probes; fails fast on a rejected token.
   */
  async acquire(): Promise<{ secret: TokenSecretValue; probe: boolean }> {
    for (;;) {
      const secret = await this.tokens.getTokenSecret();
      if (this.probe) {
        await this.probe.done;
        continue;
      }
      const rejected = this.rejected;
      if (rejected && rejected.token === secret.token) {
        if (this.now() < rejected.recheckAt) throw this.rejectedError();
        rejected.rechecks++;
        const wait = Math.min(this.maxRecheckMs, this.minRecheckMs * 2 ** rejected.rechecks);
        rejected.recheckAt = this.now() + wait;
        await this.tokens.forceRefresh();
        const reread = await this.tokens.getTokenSecret();
        if (reread.token === rejected.token) throw this.rejectedError();
        continue;
      }
      if (secret.token === this.proven) return { secret, probe: false };
      this.startProbe();
      return { secret, probe: true };
    }
  }

  /**
   * Togai answered 401/403. A probe (or a caller that becomes one) re-reads the secret and
   * retries once: `"retry"`. With another probe running, waits for it: `"waited"`.
   */
  async onRejected(isProbe: boolean): Promise<"retry" | "waited"> {
    if (!isProbe) {
      if (this.probe) {
        await this.probe.done;
        return "waited";
      }
      this.startProbe();
    }
    try {
      await this.tokens.forceRefresh();
    } catch (error) {
      this.settle({});
      throw error;
    }
    return "retry";
  }

  /** Ends the probe: `accepted` is a token Togai took, `rejected` one it refused twice. */
  settle(outcome: { accepted?: string; rejected?: string }): void {
    if (outcome.accepted !== undefined) this.proven = outcome.accepted;
    if (outcome.rejected !== undefined) this.markRejected(outcome.rejected);
    const probe = this.probe;
    this.probe = undefined;
    probe?.end();
  }

  /** Remembers a token Togai refused twice (also by a caller that was not probing). */
  markRejected(token: string): void {
    this.rejected = {
      token,
      at: new Date(this.now()).toISOString(),
      recheckAt: this.now() + this.minRecheckMs,
      rechecks: 0,
    };
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

  private startProbe(): void {
    let end = () => {};
    const done = new Promise<void>((resolve) => {
      end = resolve;
    });
    this.probe = { done, end };
  }
}
