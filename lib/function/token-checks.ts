import type { TokenSecretValue } from "../contract";
import { bearerCredentialProblem } from "../togai/credential";
import { InvalidCredentialError } from "../togai/errors";
import { PUT_API_KEY_HINT } from "../togai/put-api-key-hint";
import { decodeTogaiToken } from "../togai/togai-jwt";
import { hoursUntil, implausibleClaimsProblem } from "../togai/token-plausibility";
import { parseTokenSecretValue } from "../togai/token-secret";
import { RotationError } from "./errors";

// The plausibility rule is shared with `cdktf-togai status`; it lives in togai/.
export { hoursUntil, implausibleClaimsProblem };

/**
 * Why a stored pending value can no longer become AWSCURRENT, or `undefined` when it can: it
 * must be the contract's JSON, hold a decodable Togai token, and have at least `minLifeHours` of
 * life left. The reason never carries the token.
 */
export function pendingValueProblem(
  raw: string,
  secretArn: string,
  minLifeHours: number,
): string | undefined {
  let value: TokenSecretValue;
  try {
    value = parseTokenSecretValue(raw, secretArn);
  } catch {
    return "it is not the token secret's JSON";
  }
  let claims: ReturnType<typeof decodeTogaiToken>;
  try {
    claims = decodeTogaiToken(value.token);
  } catch {
    return "its token is not a Togai token";
  }
  const implausible = implausibleClaimsProblem(claims.issuedAt, claims.expiresAt);
  if (implausible) return implausible;
  const left = hoursUntil(claims.expiresAt.getTime());
  if (left < minLifeHours) {
    return `its token has ${left.toFixed(2)} h of life left, below the minimum of ${minLifeHours} h`;
  }
  return undefined;
}

/**
 * The API-key secret's value as a bearer credential, or a bad-input error that names the secret
 * and how to put a valid key, never the value. Surrounding whitespace (a final newline) is
 * dropped, as `put-api-key` drops it.
 */
export function apiKeyFrom(raw: string | undefined, apiKeySecretArn: string): string {
  const key = raw?.trim();
  if (!key) {
    throw new RotationError(
      `The API-key secret ${apiKeySecretArn} holds no Togai secret key yet: ${PUT_API_KEY_HINT}`,
    );
  }
  const problem = bearerCredentialProblem(key);
  if (problem) {
    throw new InvalidCredentialError(
      `The API-key secret ${apiKeySecretArn} holds a value that cannot be a Togai secret key (${problem}); nothing was sent to Togai. Put the bare key: ${PUT_API_KEY_HINT}`,
    );
  }
  return key;
}
