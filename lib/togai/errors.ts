/**
 * Typed errors of the runtime. No message ever carries a secret key or a token: messages name
 * secrets by ARN, requests by path and status, and say what to do next.
 */

/**
 * Base class of every error this package throws at run time. Each class names itself with a
 * literal `name` (not its constructor's name, which a minifier renames), so that `err.name` and
 * log filters survive bundling with `esbuild --minify`. Shared by the rotation function, the
 * consumer runtime and the CLI: this file holds Togai's answers; each side keeps its own errors.
 */
export class TogaiRuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Each subclass here declares its literal name (set after this runs); a subclass that does
    // not keeps its class name, which a minifier may rename.
    this.name = new.target === TogaiRuntimeError ? "TogaiRuntimeError" : new.target.name;
  }
}

/** Togai answered with an HTTP error. */
export class TogaiApiError extends TogaiRuntimeError {
  override readonly name: string = "TogaiApiError";
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
export class TogaiAuthenticationError extends TogaiApiError {
  override readonly name: string = "TogaiAuthenticationError";
}

/** 429: Togai's rate limit. Retried with backoff, never sooner than Togai's `Retry-After`. */
export class TogaiRateLimitError extends TogaiApiError {
  override readonly name: string = "TogaiRateLimitError";
  /** The wait Togai asked for (`Retry-After`), in ms, when it sent one. */
  retryAfterMs?: number;
  /** When the client sends again (ISO 8601), when it knows: retry after this time, same ids. */
  retryAt?: string;
}

/** 5xx: Togai failed. Retried with backoff. */
export class TogaiServerError extends TogaiApiError {
  override readonly name: string = "TogaiServerError";
}

/** The request never got an HTTP answer (connection refused, reset, timeout). Retried. */
export class TogaiNetworkError extends TogaiRuntimeError {
  override readonly name: string = "TogaiNetworkError";
}

/** Togai answered 2xx with a body this package cannot use. */
export class TogaiResponseError extends TogaiRuntimeError {
  override readonly name: string = "TogaiResponseError";
}

/** A string that is not a Togai token (JWT with a GZIP-compressed payload). */
export class InvalidTogaiTokenError extends TogaiRuntimeError {
  override readonly name: string = "InvalidTogaiTokenError";
}

/** The token secret holds something other than the contract's JSON. */
export class InvalidTokenSecretError extends TogaiRuntimeError {
  override readonly name: string = "InvalidTokenSecretError";
}

/**
 * A credential that cannot be a bearer header value (whitespace inside, non-ASCII, a JSON
 * object). Bad input: never retried, and no request is sent.
 */
export class InvalidCredentialError extends TogaiRuntimeError {
  override readonly name: string = "InvalidCredentialError";
}

/** True for failures worth retrying: rate limits, server errors and network errors. */
export function isRetryable(error: unknown): boolean {
  return (
    error instanceof TogaiRateLimitError ||
    error instanceof TogaiServerError ||
    error instanceof TogaiNetworkError
  );
}
