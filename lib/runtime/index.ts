/**
 * cdktf-togai/runtime: what runs in AWS. Imports neither cdktf nor the provider bindings.
 */
export {
  TOGAI_PRODUCTION_BASE_URL,
  TOGAI_SANDBOX_BASE_URL,
  TOKEN_SECRET_ARN_ENV,
  type TokenSecretValue,
} from "../contract";
export * from "../togai/errors";
export { authenticate, type TogaiCallOptions, type TogaiTransport } from "../togai/togai-api";
export { decodeTogaiToken, type TogaiTokenClaims } from "../togai/togai-jwt";
export {
  type FailedEvent,
  type IngestBatchResult,
  type IngestOptions,
  TogaiClient,
  type TogaiClientOptions,
  TogaiIngestError,
  type TogaiTokenSource,
} from "./client";
export { type TogaiAttribute, type TogaiEvent, validateEvent } from "./event-validation";
export {
  TogaiTokenProvider,
  type TogaiTokenProviderOptions,
  type TokenProviderStats,
} from "./token-provider";
