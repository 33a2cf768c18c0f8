import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readSecretString } from "../aws/secrets";
import { TOKEN_SECRET_ARN_ENV, type TokenSecretValue } from "../contract";
import { TogaiRuntimeError } from "../togai/errors";
import { PUT_API_KEY_HINT } from "../togai/put-api-key-hint";
import { backoffBound, withJitter } from "../togai/retry-policy";
import { parseTokenSecretValue } from "../togai/token-secret";
import { TOKEN_PROVIDER_DEFAULTS } from "./defaults";
import { TokenExpiredError, TokenNotMintedError, TokenReadTimeoutError } from "./errors";

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
  /**
   * Longest wait between reads while reads fail, also when no usable token is held: calls in
   * between fail at once with the last read's error. @default 30000
   */
  readonly maxRetryIntervalMs?: number;
  /**
   * Time one GetSecretValue may take, in ms. A read that takes longer is abandoned (aborted and
   * no longer shared), so the next call starts a new one instead of waiting forever.
   * @default 3000
   */
  readonly readTimeoutMs?: number;
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
  /** Calls that failed at once, without a read, because the last read failed moments ago. */
  readonly fastFailures: number;
  /** Reads abandoned after `readTimeoutMs`. */
  readonly timedOutReads: number;
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
 * - Never serves a token at or past its `expiresAt`.
 * - Bounded reads: with no usable token, reads still back off (at most one per
 *   `minRetryIntervalMs`, doubling to `maxRetryIntervalMs`); calls in between fail at once with
 *   the last read's error, which names the secret and says why. Each read times out after
 *   `readTimeoutMs` and is then abandoned.
 * - No timers: nothing keeps a process or a Lambda alive; refreshes happen on `getToken()`.
 *
 * @example
 * import { TogaiTokenProvider } from "cdktf-togai/runtime";
 *
 * // Reads TOGAI_TOKEN_SECRET_ARN, set by TogaiTokenRotation.grantReadToFunction(fn).
 * const tokens = TogaiTokenProvider.fromEnvironment();
 *
 * export async function authorization(): Promise<string> {
 *   // Cached, refreshed ahead of expiry; one GetSecretValue however many callers wait.
 *   return `Bearer ${await tokens.getToken()}`;
 * }
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
  private readonly readTimeoutMs: number;
  private cached?: CachedToken;
  private inflight?: Promise<CachedToken>;
  private failuresInARow = 0;
  /** With no usable token: the last read's error, repeated until `nextReadAt`. */
  private lastFailure?: { error: unknown; nextReadAt: number };
  private counters = {
    secretsManagerCalls: 0,
    failedReads: 0,
    staleServes: 0,
    fastFailures: 0,
    timedOutReads: 0,
  };

  constructor(options: TogaiTokenProviderOptions) {
    this.secretId = options.secretId;
    this.client = options.client ?? new SecretsManagerClient({});
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.refreshAtFraction = options.refreshAtFraction ?? TOKEN_PROVIDER_DEFAULTS.refreshAtFraction;
    this.jitterFraction = options.jitterFraction ?? TOKEN_PROVIDER_DEFAULTS.jitterFraction;
    this.expiryMarginMs = options.expiryMarginMs ?? TOKEN_PROVIDER_DEFAULTS.expiryMarginMs;
    this.minRetryIntervalMs =
      options.minRetryIntervalMs ?? TOKEN_PROVIDER_DEFAULTS.minRetryIntervalMs;
    this.maxRetryIntervalMs =
      options.maxRetryIntervalMs ?? TOKEN_PROVIDER_DEFAULTS.maxRetryIntervalMs;
    this.readTimeoutMs = options.readTimeoutMs ?? TOKEN_PROVIDER_DEFAULTS.readTimeoutMs;
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
    if (cached && now < cached.expiresAt) {
      if (now >= cached.refreshAt) {
        // Due for refresh but still valid: refresh in the background, serve what we have.
        this.refresh().catch(() => undefined);
      }
      return cached.value;
    }
    const failure = this.lastFailure;
    if (failure && now < failure.nextReadAt && !this.inflight) {
      this.counters.fastFailures++;
      throw failure.error;
    }
    const fresh = await this.refresh();
    if (this.now() >= fresh.expiresAt) return this.readFailed(this.expiredError(fresh.value));
    return fresh.value;
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

  /** One GetSecretValue, aborted and abandoned after `readTimeoutMs`. */
  private async readWithTimeout(): ReturnType<typeof readSecretString> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.counters.timedOutReads++;
        controller.abort();
        reject(
          new TokenReadTimeoutError(
            `Reading the token secret ${this.secretId} took longer than ${this.readTimeoutMs} ms (readTimeoutMs) and was abandoned; the next call starts a new read. Check the network path to Secrets Manager (VPC endpoint or NAT)`,
          ),
        );
      }, this.readTimeoutMs);
    });
    const read = readSecretString(this.client, { secretId: this.secretId }, controller.signal);
    read.catch(() => undefined); // settles after the race was lost to the timeout
    try {
      return await Promise.race([read, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private expiredError(value: TokenSecretValue): TokenExpiredError {
    return new TokenExpiredError(
      `The token in ${this.secretId} expired at ${value.expiresAt}: rotations have been failing; check the rotation function's logs and \`cdktf-togai status\``,
    );
  }

  private async read(): Promise<CachedToken> {
    this.counters.secretsManagerCalls++;
    let value: TokenSecretValue;
    try {
      const stored = await this.readWithTimeout();
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
    if (expiresAt <= now) return this.readFailed(this.expiredError(value));
    this.failuresInARow = 0;
    this.lastFailure = undefined;
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
    const reported =
      cached && !(error instanceof TokenExpiredError)
        ? new TokenExpiredError(
            `The cached Togai token expired at ${cached.value.expiresAt} and re-reading ${this.secretId} failed: ${(error as Error).message}`,
            { cause: error },
          )
        : error;
    this.lastFailure = { error: reported, nextReadAt: now + this.backoff() };
    throw reported;
  }

  /** The package's retry policy: jittered, doubling from the shortest interval to the longest. */
  private backoff(): number {
    const intervals = { baseDelayMs: this.minRetryIntervalMs, maxDelayMs: this.maxRetryIntervalMs };
    return withJitter(backoffBound(intervals, this.failuresInARow), this.random);
  }

  private refreshTime(now: number, expiresAt: number): number {
    const delay = (expiresAt - now) * this.refreshAtFraction;
    const jitter = delay * this.jitterFraction * (this.random() - 0.5);
    const due = Math.min(now + delay + jitter, expiresAt - this.expiryMarginMs);
    // Near expiry (rotation failing) re-read at most once per minRetryIntervalMs, not per call;
    // getTokenSecret still never serves the token at or past expiresAt.
    return Math.max(due, now + this.minRetryIntervalMs);
  }
}
