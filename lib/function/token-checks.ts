import { PUT_API_KEY_HINT, TOKEN_LIFETIME_HOURS, type TokenSecretValue } from "../contract";
import { bearerCredentialProblem } from "../togai/credential";
import { InvalidCredentialError } from "../togai/errors";
import { decodeTogaiToken, TOGAI_CLOCK_SKEW_MS } from "../togai/togai-jwt";
import { parseTokenSecretValue } from "../togai/token-secret";
import { RotationError } from "./errors";

/** Hours between now and an ISO date or epoch ms. */
export function hoursUntil(when: string | number): number {
  const ms = typeof when === "number" ? when : Date.parse(when);
  return (ms - Date.now()) / 3_600_000;
}

/** Clock skew tolerated between Togai and the function, in hours. */
const CLOCK_SKEW_HOURS = TOGAI_CLOCK_SKEW_MS / 3_600_000;

/**
 * Why a token's claims cannot be Togai's: issued in the future, or living longer than Togai's
 * tokens do. Such a token would pass every age check for years while Togai refuses it.
 */
export function implausibleClaimsProblem(issuedAt: Date, expiresAt: Date): string | undefined {
  if (hoursUntil(issuedAt.getTime()) > CLOCK_SKEW_HOURS) {
    return `its token claims to be issued in the future (${issuedAt.toISOString()})`;
  }
  const lifetime = (expiresAt.getTime() - issuedAt.getTime()) / 3_600_000;
  if (lifetime > TOKEN_LIFETIME_HOURS + CLOCK_SKEW_HOURS) {
    return `its token claims to live ${lifetime.toFixed(1)} h, longer than Togai's ${TOKEN_LIFETIME_HOURS} h`;
  }
  return undefined;
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
