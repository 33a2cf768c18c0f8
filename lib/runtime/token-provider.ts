import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readSecretString } from "../aws/secrets";
import { PUT_API_KEY_HINT, TOKEN_SECRET_ARN_ENV, type TokenSecretValue } from "../contract";
import { TogaiRuntimeError, TokenExpiredError, TokenNotMintedError } from "../togai/errors";
import { parseTokenSecretValue } from "../togai/token-secret";

/** Options of {@link TogaiTokenProvider}. */
export interface TogaiTokenProviderOptions {
  /** ARN or name of the token secret. */
  readonly secretId: string;
  /** Secrets Manager client. @default a new client with the default credential chain */
  readonly client?: SecretsManagerClient;
  /**
   * Fraction of a token's remaining life (measured when it is read) after which it is re-read
   * in the background. @default 2/3
   */
  readonly refreshAtFraction?: number;
  /** Random spread of the refresh time, as a fraction of the delay (± half of it). @default 0.1 */
  readonly jitterFraction?: number;
  /** A refresh is due at the latest this long before `expiresAt`, in ms. @default 300000 (5 min) */
  readonly expiryMarginMs?: number;
  /**
   * Shortest wait, in ms, before another read after a failed or unchanged one; doubles on each
   * failure up to `maxRetryIntervalMs`. @default 1000
   */
  readonly minRetryIntervalMs?: number;
  /** Longest wait between reads while refreshes fail. @default 60000 */
  readonly maxRetryIntervalMs?: number;
  /** Clock, replaceable in tests. @default Date.now */
  readonly now?: () => number;
  /** Random source in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** Figures of a provider, for monitoring and tests. */
export interface TokenProviderStats {
  /** GetSecretValue calls made. */
  readonly secretsManagerCalls: number;
  /** Reads that failed. */
  readonly failedReads: number;
  /** Refreshes that failed while a still-valid token kept being served. */
  readonly staleServes: number;
}

interface CachedToken {
  readonly value: TokenSecretValue;
  readonly expiresAt: number;
  refreshAt: number;
}

/**
 * Reads the Togai token from the token secret (AWSCURRENT) and serves it from memory.
 *
 * - Refreshes ahead of expiry (about two thirds into the remaining life, with jitter, never
 *   later than `expiresAt - expiryMarginMs`), so a fleet does not re-read in lockstep.
 * - Single-flight: concurrent callers share one GetSecretValue.
 * - Stale-while-error: while a refresh fails, a token that has not expired keeps being served,
 *   with bounded exponential back-off between reads; past expiry the error says what failed.
 * - No timers: nothing keeps a process or a Lambda alive; refreshes happen on `getToken()`.
 */
export class TogaiTokenProvider {
  /** Provider for the secret whose ARN is in `TOGAI_TOKEN_SECRET_ARN` (set by `grantReadToFunction`). */
  static fromEnvironment(
    options: Omit<TogaiTokenProviderOptions, "secretId"> = {},
  ): TogaiTokenProvider {
    const secretId = process.env[TOKEN_SECRET_ARN_ENV];
    if (!secretId) {
      throw new TogaiRuntimeError(
        `${TOKEN_SECRET_ARN_ENV} is not set: grant this function with tokens.grantReadToFunction(fn), or pass secretId`,
      );
    }
    return new TogaiTokenProvider({ ...options, secretId });
  }

  readonly secretId: string;
  private readonly client: SecretsManagerClient;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly refreshAtFraction: number;
  private readonly jitterFraction: number;
  private readonly expiryMarginMs: number;
  private readonly minRetryIntervalMs: number;
  private readonly maxRetryIntervalMs: number;
  private cached?: CachedToken;
  private inflight?: Promise<CachedToken>;
  private failuresInARow = 0;
  private counters = { secretsManagerCalls: 0, failedReads: 0, staleServes: 0 };

  constructor(options: TogaiTokenProviderOptions) {
    this.secretId = options.secretId;
    this.client = options.client ?? new SecretsManagerClient({});
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.refreshAtFraction = options.refreshAtFraction ?? 2 / 3;
    this.jitterFraction = options.jitterFraction ?? 0.1;
    this.expiryMarginMs = options.expiryMarginMs ?? 300_000;
    this.minRetryIntervalMs = options.minRetryIntervalMs ?? 1_000;
    this.maxRetryIntervalMs = options.maxRetryIntervalMs ?? 60_000;
  }

  get stats(): TokenProviderStats {
    return { ...this.counters };
  }

  /** The bearer token to send to Togai. */
  async getToken(): Promise<string> {
    return (await this.getTokenSecret()).token;
  }

  /** The whole token secret value (token, expiry, base URL). */
  async getTokenSecret(): Promise<TokenSecretValue> {
    const cached = this.cached;
    const now = this.now();
    if (cached && now < cached.refreshAt) return cached.value;
    if (cached && now < cached.expiresAt) {
      // Due for refresh but still valid: refresh in the background, serve what we have.
      this.refresh().catch(() => undefined);
      return cached.value;
    }
    return (await this.refresh()).value;
  }

  /** Re-reads the secret now (e.g. after Togai answered 401), shared with concurrent callers. */
  async forceRefresh(): Promise<string> {
    return (await this.refresh()).value.token;
  }

  private refresh(): Promise<CachedToken> {
    if (!this.inflight) {
      this.inflight = this.read().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async read(): Promise<CachedToken> {
    this.counters.secretsManagerCalls++;
    let value: TokenSecretValue;
    try {
      const stored = await readSecretString(this.client, { secretId: this.secretId });
      if (!stored) {
        throw new TokenNotMintedError(
          `The token secret ${this.secretId} holds no Togai token yet: no rotation has succeeded so far. If the key is not in place, ${PUT_API_KEY_HINT}; otherwise check the rotation function's logs`,
        );
      }
      value = parseTokenSecretValue(stored.value, this.secretId);
    } catch (error) {
      return this.readFailed(error);
    }
    const now = this.now();
    const expiresAt = Date.parse(value.expiresAt);
    if (expiresAt <= now) {
      return this.readFailed(
        new TokenExpiredError(
          `The token in ${this.secretId} expired at ${value.expiresAt}: rotations have been failing; check the rotation function's logs and \`cdktf-togai status\``,
        ),
      );
    }
    this.failuresInARow = 0;
    this.cached = { value, expiresAt, refreshAt: this.refreshTime(now, expiresAt) };
    return this.cached;
  }

  private readFailed(error: unknown): never {
    this.counters.failedReads++;
    this.failuresInARow++;
    const cached = this.cached;
    const now = this.now();
    if (cached && now < cached.expiresAt) {
      this.counters.staleServes++;
      cached.refreshAt = Math.min(now + this.backoff(), cached.expiresAt);
      throw error;
    }
    if (cached) {
      throw new TokenExpiredError(
        `The cached Togai token expired at ${cached.value.expiresAt} and re-reading ${this.secretId} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    throw error;
  }

  private backoff(): number {
    const exp = this.minRetryIntervalMs * 2 ** Math.max(0, this.failuresInARow - 1);
    return Math.min(this.maxRetryIntervalMs, exp) * (0.5 + this.random() / 2);
  }

  private refreshTime(now: number, expiresAt: number): number {
    const delay = (expiresAt - now) * this.refreshAtFraction;
    const jitter = delay * this.jitterFraction * (this.random() - 0.5);
    const due = Math.min(now + delay + jitter, expiresAt - this.expiryMarginMs);
    // Near expiry (rotation failing) re-read at most once per minRetryIntervalMs, not per call.
    return Math.max(due, now + this.minRetryIntervalMs);
  }
}
