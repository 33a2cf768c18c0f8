/**
 * The contract between deploy time (the constructs) and run time (the rotation function and
 * consumers): the token secret's JSON, environment variable names, Togai's base URLs, staging
 * labels, rotation limits and the metric the function publishes. Nothing else: ARN functions and
 * operator hints live with the code that uses them. Both sides import this module; it imports
 * neither, so the rotation bundle and a consumer that only reads tokens never load cdktf or the
 * provider bindings.
 */

/** Togai's production API. */
export const TOGAI_PRODUCTION_BASE_URL = "https://api.togai.com";

/** Togai's sandbox API. */
export const TOGAI_SANDBOX_BASE_URL = "https://sandbox-api.togai.com";

/** Togai tokens minted by `POST /authenticate` live this long. */
export const TOKEN_LIFETIME_HOURS = 24;

/**
 * Rotation interval bounds. Secrets Manager refuses `rate(N hours)` below 4. The current token
 * outlives as many whole failed windows in a row as keep (failed + 1) × interval under its 24 h:
 * up to 11 h, one window in which every re-attempt failed still leaves consumers a valid token
 * (two at the default 6 h); at 12 h it would expire just as the next window opens.
 */
export const MIN_ROTATION_INTERVAL_HOURS = 4;
export const MAX_ROTATION_INTERVAL_HOURS = 11;
export const DEFAULT_ROTATION_INTERVAL_HOURS = 6;

/** testSecret refuses a freshly minted token with less life left than this. */
export const DEFAULT_MIN_TOKEN_LIFE_HOURS = 20;

/** The environment variable a consumer reads the token secret's ARN from. */
export const TOKEN_SECRET_ARN_ENV = "TOGAI_TOKEN_SECRET_ARN";

/** Environment variables of the rotation function, set by `TogaiTokenRotation`. */
export const ROTATION_ENV = {
  /** ARN of the secret holding Togai's long-lived secret key. */
  apiKeySecretArn: "TOGAI_API_KEY_SECRET_ARN",
  /** ARN of the token secret the function serves (rule 5 of docs/rotation-protocol.md). */
  tokenSecretArn: TOKEN_SECRET_ARN_ENV,
  /** Base URL of the Togai API the tokens are minted from. */
  apiBaseUrl: "TOGAI_API_BASE_URL",
  /** Minimum life, in hours, a new token must have for testSecret to accept it. */
  minTokenLifeHours: "TOGAI_MIN_TOKEN_LIFE_HOURS",
} as const;

/**
 * The major version of the token secret's JSON that this library writes and reads. Added fields
 * do not change it (readers ignore fields they do not know); a change an older reader would
 * misread does, and such a reader then refuses the value with an error naming both versions.
 * Values written before 0.2.0 carry no version and are version 1.
 */
export const TOKEN_SECRET_SCHEMA_VERSION = 1;

/** The JSON value of the token secret (AWSCURRENT) once a token has been minted. */
export interface TokenSecretValue {
  /**
   * Major version of this JSON (see `TOKEN_SECRET_SCHEMA_VERSION`). Absent in values written
   * before 0.2.0, which are version 1.
   */
  readonly schemaVersion?: number;
  /** The Togai bearer token (a JWT). */
  readonly token: string;
  /** When the token expires, ISO 8601 (from its `exp` claim). */
  readonly expiresAt: string;
  /** When the token was issued, ISO 8601 (from its `iat` claim). */
  readonly issuedAt: string;
  /** The Togai API base URL that minted the token and accepts it. */
  readonly apiBaseUrl: string;
  /**
   * The version of the API-key secret whose key minted the token. The rotation function never
   * promotes a token whose key was replaced meanwhile, and `status` names it. Absent in values
   * written before 0.2.0; consumers need not read it.
   */
  readonly keyVersionId?: string;
}

/** Secrets Manager staging labels the rotation protocol uses. */
export const STAGE = {
  current: "AWSCURRENT",
  pending: "AWSPENDING",
  previous: "AWSPREVIOUS",
} as const;

/**
 * The metric the rotation function publishes (CloudWatch embedded metric format, in its log)
 * after each successful rotation: the new token's hours of life, per token secret name.
 */
export const TOKEN_METRIC = {
  namespace: "CdktfTogai",
  hoursLeft: "TokenHoursLeft",
  dimension: "TokenSecretName",
} as const;
