/**
 * The one rule for whether a token's dates can be Togai's: the rotation function applies it
 * before it keeps or promotes a token, `cdktf-togai status` before it reports one as healthy.
 */
import { TOKEN_LIFETIME_HOURS } from "../contract";
import { TOGAI_CLOCK_SKEW_MS } from "./togai-jwt";

/** Hours between now and an ISO date or epoch ms. */
export function hoursUntil(when: string | number): number {
  const ms = typeof when === "number" ? when : Date.parse(when);
  return (ms - Date.now()) / 3_600_000;
}

/** Clock skew tolerated between Togai and us, in hours. */
const CLOCK_SKEW_HOURS = TOGAI_CLOCK_SKEW_MS / 3_600_000;

/**
 * How far in the future a token's `iat` may be: a Togai clock that leads ours by up to an hour
 * still issues genuine tokens (refusing them would stop every rotation while Togai is healthy),
 * and such a token cannot outlive 25 h from now; a forged one claiming years is refused by its
 * lifetime below.
 */
const FUTURE_ISSUE_TOLERANCE_HOURS = 1;

/**
 * Why a token's claims cannot be Togai's: issued in the future, or living longer than Togai's
 * tokens do. Such a token would pass every age check for years while Togai refuses it.
 */
export function implausibleClaimsProblem(issuedAt: Date, expiresAt: Date): string | undefined {
  if (hoursUntil(issuedAt.getTime()) > FUTURE_ISSUE_TOLERANCE_HOURS) {
    return `its token claims to be issued in the future (${issuedAt.toISOString()})`;
  }
  const lifetime = (expiresAt.getTime() - issuedAt.getTime()) / 3_600_000;
  if (lifetime > TOKEN_LIFETIME_HOURS + CLOCK_SKEW_HOURS) {
    return `its token claims to live ${lifetime.toFixed(1)} h, longer than Togai's ${TOKEN_LIFETIME_HOURS} h`;
  }
  return undefined;
}
