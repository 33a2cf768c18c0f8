/**
 * Typed errors of the runtime. No message ever carries a secret key or a token: messages name
 * secrets by ARN, requests by path and status, and say what to do next.
 */

/** Base class of every error this package throws at run time. */
export class TogaiRuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Togai answered with an HTTP error. */
export class TogaiApiError extends TogaiRuntimeError {
  constructor(
    message: string,
    /** HTTP status Togai returned. */
    readonly status: number,
    /** Request path, e.g. `/authenticate`. */
    readonly path: string,
    /** Togai's `message`, when its body had one (it never echoes credentials). */
    readonly togaiMessage?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 401/403: the credential was rejected. Never retried (Togai throttles an IP after a few). */
export class TogaiAuthenticationError extends TogaiApiError {}

/** 429: Togai's rate limit. Retried with backoff, never sooner than Togai's `Retry-After`. */
export class TogaiRateLimitError extends TogaiApiError {
  /** The wait Togai asked for (`Retry-After`), in ms, when it sent one. */
  retryAfterMs?: number;
  /** When the client sends again (ISO 8601), when it knows: retry after this time, same ids. */
  retryAt?: string;
}

/** 5xx: Togai failed. Retried with backoff. */
export class TogaiServerError extends TogaiApiError {}

/** The request never got an HTTP answer (connection refused, reset, timeout). Retried. */
export class TogaiNetworkError extends TogaiRuntimeError {}

/** Togai answered 2xx with a body this package cannot use. */
export class TogaiResponseError extends TogaiRuntimeError {}

/** A string that is not a Togai token (JWT with a GZIP-compressed payload). */
export class InvalidTogaiTokenError extends TogaiRuntimeError {}

/** The token secret exists but no token has been minted into it yet. */
export class TokenNotMintedError extends TogaiRuntimeError {}

/** The only token available has expired and a fresh one could not be read. */
export class TokenExpiredError extends TogaiRuntimeError {}

/** The token secret holds something other than the contract's JSON. */
export class InvalidTokenSecretError extends TogaiRuntimeError {}

/** An event failed local validation; nothing was sent. */
export class InvalidEventError extends TogaiRuntimeError {
  constructor(
    message: string,
    /** Index of the event in the call's input (0 for `ingest`). */
    readonly eventIndex: number,
    /** The offending field, as a path (`attributes[2].value`). */
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * A credential that cannot be a bearer header value (whitespace inside, non-ASCII, a JSON
 * object). Bad input: never retried, and no request is sent.
 */
export class InvalidCredentialError extends TogaiRuntimeError {}

/** A rotation step found the secret in a state the protocol does not allow. */
export class RotationError extends TogaiRuntimeError {}

/** True for failures worth retrying: rate limits, server errors and network errors. */
export function isRetryable(error: unknown): boolean {
  return (
    error instanceof TogaiRateLimitError ||
    error instanceof TogaiServerError ||
    error instanceof TogaiNetworkError
  );
}
