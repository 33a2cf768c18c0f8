/**
 * Typed errors of the consumer runtime (Powertools style: one class per failure a caller
 * branches on). Messages name secrets by ARN and events by index and id, never a token.
 */
import { TogaiAuthenticationError, TogaiRateLimitError, TogaiRuntimeError } from "../togai/errors";

/** The token secret exists but no token has been minted into it yet. */
export class TokenNotMintedError extends TogaiRuntimeError {
  override readonly name: string = "TokenNotMintedError";
}

/** The only token available has expired and a fresh one could not be read. */
export class TokenExpiredError extends TogaiRuntimeError {
  override readonly name: string = "TokenExpiredError";
}

/** An event failed local validation; nothing was sent. */
export class InvalidEventError extends TogaiRuntimeError {
  override readonly name: string = "InvalidEventError";
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

/** Reading the token secret took longer than `readTimeoutMs`; that read was abandoned. */
export class TokenReadTimeoutError extends TogaiRuntimeError {
  override readonly name: string = "TokenReadTimeoutError";
}

/**
 * Togai rejected the token twice (the first request, and once more after re-reading the token
 * secret), or the secret still holds a token Togai already rejected. No request is sent with
 * that token again until the secret holds a different one.
 */
export class TogaiTokenRejectedError extends TogaiAuthenticationError {
  override readonly name: string = "TogaiTokenRejectedError";
}

/**
 * Togai answered 429 to the first request with a token it had not accepted yet, and the client's
 * back-off (`Retry-After`, else `tokenRecheckMs` doubling) ends later than this call could wait:
 * past its `maxRetryTimeMs`, or longer than `maxRetryAfterMs` (calls within both wait instead, and
 * only one request goes out per back-off). A 429 may be a per-second quota, or Togai's throttle of
 * an IP after 5 rejected credentials in 30 minutes (a rejected token of this process or of another
 * one behind the same IP). Thrown without a request. Retryable: send the events again after
 * `retryAt`, with the same ids.
 */
export class TogaiTokenThrottledError extends TogaiRateLimitError {
  override readonly name: string = "TogaiTokenThrottledError";
  constructor(
    message: string,
    status: number,
    path: string,
    /** When the client sends a request with this token again (ISO 8601). */
    readonly retryAt: string,
  ) {
    super(message, status, path);
  }
}

/** A call on a {@link TogaiClient} after its `close()`: create a new client. */
export class TogaiClientClosedError extends TogaiRuntimeError {
  override readonly name: string = "TogaiClientClosedError";
}

/** An event Togai accepted, by its index in the caller's input. */
export interface AcceptedEvent {
  readonly index: number;
  /** The idempotency id it was sent with (the caller's, or the one the client assigned). */
  readonly id: string;
}

/** An event Togai did not accept (or that was never sent), by its index in the caller's input. */
export interface FailedEvent {
  readonly index: number;
  /** The idempotency id it was (or would have been) sent with: retry with this same id. */
  readonly id: string;
  readonly reason: string;
  /**
   * True when sending it again may succeed (not sent, rate limit, server or network error, token
   * problem); false when Togai refused the event itself.
   */
  readonly retryable: boolean;
}

/**
 * Some events of a call were not accepted. `accepted` and `failed` together list every event of
 * the call; retry only `failed` events whose `retryable` is true, with the same ids, and nothing
 * is billed twice. `cause` is the error that stopped the call, when one did.
 */
export class TogaiIngestError extends TogaiRuntimeError {
  override readonly name: string = "TogaiIngestError";
  constructor(
    message: string,
    /** Events Togai accepted. */
    readonly accepted: ReadonlyArray<AcceptedEvent>,
    /** Events not accepted, with why; sorted by index. */
    readonly failed: ReadonlyArray<FailedEvent>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `add()` on a full {@link TogaiEventBuffer}: wait for `whenRoom()` or `flush()`, then add again. */
export class TogaiBufferFullError extends TogaiRuntimeError {
  override readonly name: string = "TogaiBufferFullError";
}

/** `add()` after `close()`. */
export class TogaiBufferClosedError extends TogaiRuntimeError {
  override readonly name: string = "TogaiBufferClosedError";
}
