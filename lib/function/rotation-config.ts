import { DEFAULT_MIN_TOKEN_LIFE_HOURS, ROTATION_ENV } from "../contract";
import { RotationError } from "./errors";

/** What Secrets Manager sends to a rotation function. */
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

/** What EventBridge sends when CloudTrail recorded a call that changed the API-key secret. */
export interface KeyChangeEvent {
  readonly source: string;
  readonly "detail-type": string;
  readonly detail?: {
    readonly eventName?: string;
    readonly requestParameters?: { readonly secretId?: string };
  };
}

/** The part of the Lambda context the function uses. */
export interface RotationContext {
  getRemainingTimeInMillis(): number;
}

/** Configuration, read from the environment that `TogaiTokenRotation` declares. */
export interface RotationConfig {
  readonly apiKeySecretArn: string;
  readonly tokenSecretArn: string;
  readonly apiBaseUrl: string;
  readonly minTokenLifeHours: number;
}

/** Reads and checks the function's environment; the error names the variable to fix. */
export function rotationConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RotationConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new RotationError(
        `Environment variable ${name} is not set: deploy the function with TogaiTokenRotation, which sets it`,
      );
    }
    return value;
  };
  const minLifeRaw = env[ROTATION_ENV.minTokenLifeHours];
  const minTokenLifeHours = minLifeRaw ? Number(minLifeRaw) : DEFAULT_MIN_TOKEN_LIFE_HOURS;
  if (!Number.isFinite(minTokenLifeHours) || minTokenLifeHours <= 0 || minTokenLifeHours >= 24) {
    throw new RotationError(
      `${ROTATION_ENV.minTokenLifeHours} must be a number of hours above 0 and below 24, got "${minLifeRaw}"`,
    );
  }
  return {
    apiKeySecretArn: required(ROTATION_ENV.apiKeySecretArn),
    tokenSecretArn: required(ROTATION_ENV.tokenSecretArn),
    apiBaseUrl: required(ROTATION_ENV.apiBaseUrl),
    minTokenLifeHours,
  };
}
