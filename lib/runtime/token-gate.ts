import type { TokenSecretValue } from "../contract";
import type { TogaiTokenSource } from "./client-options";
import { TogaiTokenRejectedError } from "./errors";

/** A 401/403 being checked: one call re-reads the secret and retries; the others wait for it. */
interface Probe {
  readonly token: string;
  readonly done: Promise<void>;
  end(): void;
}

/**
 * Keeps a process from storming Togai with a token it rejected. For a rejected token the first
 * call re-reads the secret and retries once (the probe); calls that meet the same token meanwhile
 * wait for the probe instead of sending. A token rejected twice is remembered: later calls fail at
 * once with {@link TogaiTokenRejectedError} and re-read the secret at most once per recheck
 * interval (doubling up to a bound) until it holds a different token.
 */
export class TokenGate {
  private probe?: Probe;
  private rejected?: { token: string; at: string; recheckAt: number; rechecks: number };

  constructor(
    private readonly tokens: TogaiTokenSource,
    private readonly now: () => number,
    private readonly minRecheckMs: number,
    private readonly maxRecheckMs: number,
  ) {}

  /** The secret to send with: waits for a probe of the same token, fails fast on a rejected one. */
  async secret(): Promise<TokenSecretValue> {
    for (;;) {
      const secret = await this.tokens.getTokenSecret();
      const probe = this.probe;
      if (probe && probe.token === secret.token) {
        await probe.done;
        continue;
      }
      const rejected = this.rejected;
      if (!rejected || rejected.token !== secret.token) return secret;
      if (this.now() < rejected.recheckAt) throw this.rejectedError();
      rejected.rechecks++;
      const wait = Math.min(this.maxRecheckMs, this.minRecheckMs * 2 ** (rejected.rechecks - 1));
      rejected.recheckAt = this.now() + wait;
      await this.tokens.forceRefresh();
      const reread = await this.tokens.getTokenSecret();
      if (reread.token === rejected.token) throw this.rejectedError();
      this.rejected = undefined;
      return reread;
    }
  }

  /**
   * Togai answered 401/403 to `token`. Returns `"probe"` when this call must re-read and retry
   * once (it then calls `settle`), or `"waited"` after another call's probe settled.
   */
  async onRejected(token: string): Promise<"probe" | "waited"> {
    const current = this.probe;
    if (current && current.token === token) {
      await current.done;
      return "waited";
    }
    let end = () => {};
    const done = new Promise<void>((resolve) => {
      end = resolve;
    });
    this.probe = { token, done, end };
    try {
      await this.tokens.forceRefresh();
    } catch (error) {
      this.settle(token, false);
      throw error;
    }
    return "probe";
  }

  /** Ends the probe of `firstToken`; `rejected` names the token Togai refused a second time. */
  settle(firstToken: string, rejected: string | false): void {
    if (rejected !== false) {
      this.rejected = {
        token: rejected,
        at: new Date(this.now()).toISOString(),
        recheckAt: this.now() + this.minRecheckMs,
        rechecks: 0,
      };
    }
    if (this.probe?.token === firstToken) {
      this.probe.end();
      this.probe = undefined;
    }
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
}
