import { PUT_API_KEY_HINT, type TokenSecretValue } from "../contract";
import { bearerCredentialProblem } from "../togai/credential";
import { InvalidCredentialError, RotationError } from "../togai/errors";
import { decodeTogaiToken } from "../togai/togai-jwt";
import { parseTokenSecretValue } from "../togai/token-secret";

/** Hours between now and an ISO date or epoch ms. */
export function hoursUntil(when: string | number): number {
  const ms = typeof when === "number" ? when : Date.parse(when);
  return (ms - Date.now()) / 3_600_000;
}

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
  let expiresAt: number;
  try {
    expiresAt = decodeTogaiToken(value.token).expiresAt.getTime();
  } catch {
    return "its token is not a Togai token";
  }
  const left = hoursUntil(expiresAt);
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
