/**
 * How an operator puts the secret key: named in every error that a missing or rejected key
 * causes, in the rotation function and in consumers alike.
 */
/** The operator command that puts the secret key, named in error messages. */
export const PUT_API_KEY_HINT =
  "put it with `npx cdktf-togai put-api-key --secret-id <api-key secret ARN> --token-secret-id <token secret ARN>` (reads the key from stdin)";
