/** cdktf-togai: constructs that keep a Togai secret key and rotate Togai short-lived tokens. */
export { TogaiApiKeySecret, type TogaiApiKeySecretProps } from "./constructs/api-key-secret";
export type {
  ITogaiApiKeySecret,
  TogaiApiKeySecretFromArnOptions,
} from "./constructs/api-key-secret-ref";
export {
  TogaiBaseUrl,
  TogaiEnvironment,
  TogaiLambdaArchitecture,
  TogaiLambdaRuntime,
  TogaiRotationLimits,
} from "./constructs/constants";
export { TogaiErrors } from "./constructs/errors";
export type { TogaiReadGrant } from "./constructs/grants";
export { RotationAlerts, type RotationAlertsProps } from "./constructs/rotation-alerts";
export {
  type TogaiReplicaRegion,
  TogaiTokenRotation,
  type TogaiTokenRotationProps,
} from "./constructs/token-rotation";
export {
  DEFAULT_ROTATION_INTERVAL_HOURS,
  MAX_ROTATION_INTERVAL_HOURS,
  MIN_ROTATION_INTERVAL_HOURS,
  ROTATION_ENV,
  TOGAI_PRODUCTION_BASE_URL,
  TOGAI_SANDBOX_BASE_URL,
  TOKEN_SECRET_ARN_ENV,
  type TokenSecretValue,
} from "./contract";
