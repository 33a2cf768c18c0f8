/**
 * cdktf-togai/runtime: what runs in AWS. Imports neither cdktf nor the provider bindings.
 * Everything is exported by name (no `export *`): the rotation function's errors stay out.
 */

export { partialSecretArn, secretNameFromArn } from "../aws/secret-arn";
export { SecretsManagerCallError } from "../aws/secrets-errors";
export {
  TOGAI_PRODUCTION_BASE_URL,
  TOGAI_SANDBOX_BASE_URL,
  TOKEN_SECRET_ARN_ENV,
  type TokenSecretValue,
} from "../contract";
export {
  InvalidCredentialError,
  InvalidTogaiTokenError,
  InvalidTokenSecretError,
  isRetryable,
  TogaiApiError,
  TogaiAuthenticationError,
  TogaiNetworkError,
  TogaiRateLimitError,
  TogaiResponseError,
  TogaiRuntimeError,
  TogaiServerError,
} from "../togai/errors";
export { parseRetryAfter } from "../togai/retry-after";
export { authenticate, type TogaiCallOptions, type TogaiTransport } from "../togai/togai-api";
export { decodeTogaiToken, type TogaiTokenClaims } from "../togai/togai-jwt";
export {
  type IngestBatchResult,
  type IngestOptions,
  TogaiClient,
} from "./client";
export type { TogaiClientOptions, TogaiRequestInfo, TogaiTokenSource } from "./client-options";
export {
  type AcceptedEvent,
  type FailedEvent,
  InvalidEventError,
  TogaiBufferClosedError,
  TogaiBufferFullError,
  TogaiClientClosedError,
  TogaiIngestError,
  TogaiTokenRejectedError,
  TogaiTokenThrottledError,
  TokenExpiredError,
  TokenNotMintedError,
  TokenReadTimeoutError,
} from "./errors";
export {
  type FlushResult,
  TogaiEventBuffer,
  type TogaiEventBufferOptions,
  type UndeliveredEvent,
} from "./event-buffer";
export { type TogaiAttribute, type TogaiEvent, validateEvent } from "./event-validation";
export {
  TogaiTokenProvider,
  type TogaiTokenProviderOptions,
  type TokenProviderStats,
} from "./token-provider";
