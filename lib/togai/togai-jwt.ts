import { gunzipSync } from "node:zlib";
import { InvalidTogaiTokenError } from "./errors";

/**
 * Clock difference tolerated between Togai and us when judging a token's `iat`: the rotation
 * function and `cdktf-togai status` use the same allowance, so what one stores the other accepts.
 */
export const TOGAI_CLOCK_SKEW_MS = 15 * 60_000;

/** What this package reads out of a Togai token. The signature is not verified: Togai
 * publishes no key set, and the token only ever travels between Togai and its holder. */
export interface TogaiTokenClaims {
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** Togai's 10-character organisation id, when present. */
  readonly org?: string;
  /** Issuer, e.g. `https://iam.hypto.com`. */
  readonly iss?: string;
}

const JWT_SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string, what: string, gzip: boolean): Record<string, unknown> {
  let raw = Buffer.from(segment, "base64url");
  if (gzip) {
    try {
      raw = gunzipSync(raw);
    } catch {
      throw new InvalidTogaiTokenError(
        `the token's ${what} is not GZIP data although its header says zip: GZIP`,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new InvalidTogaiTokenError(`the token's ${what} is not JSON`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidTogaiTokenError(`the token's ${what} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function epochSeconds(claims: Record<string, unknown>, name: string): Date {
  const value = claims[name];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidTogaiTokenError(`the token has no numeric "${name}" claim`);
  }
  return new Date(value * 1000);
}

/**
 * Decodes a Togai token. Togai's JWT payload is base64url of GZIP-compressed JSON when the header
 * says `"zip":"GZIP"`, which textbook JWT libraries cannot read. Error messages never include the
 * token itself.
 */
export function decodeTogaiToken(token: string): TogaiTokenClaims {
  if (typeof token !== "string" || token.length === 0) {
    throw new InvalidTogaiTokenError("the token is empty");
  }
  const segments = token.split(".");
  if (segments.length !== 3 || !segments.every((s) => JWT_SEGMENT.test(s))) {
    throw new InvalidTogaiTokenError(
      "the token is not a JWT (expected three base64url segments separated by dots)",
    );
  }
  const header = decodeSegment(segments[0], "header", false);
  const gzip = header.zip === "GZIP";
  if (header.zip !== undefined && !gzip) {
    throw new InvalidTogaiTokenError(
      `the token's header names an unknown compression "${String(header.zip)}"`,
    );
  }
  const claims = decodeSegment(segments[1], "payload", gzip);
  const issuedAt = epochSeconds(claims, "iat");
  const expiresAt = epochSeconds(claims, "exp");
  if (expiresAt.getTime() <= issuedAt.getTime()) {
    throw new InvalidTogaiTokenError("the token expires before it was issued");
  }
  return {
    issuedAt,
    expiresAt,
    org: typeof claims.org === "string" ? claims.org : undefined,
    iss: typeof claims.iss === "string" ? claims.iss : undefined,
  };
}

/** Milliseconds of life the token has left at `now` (negative once expired). */
export function remainingLifeMs(claims: TogaiTokenClaims, now: number = Date.now()): number {
  return claims.expiresAt.getTime() - now;
}
