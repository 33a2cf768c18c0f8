import type { TokenSecretValue } from "../contract";
import { InvalidTokenSecretError } from "./errors";
import { decodeTogaiToken } from "./togai-jwt";

const FIELDS = ["token", "expiresAt", "issuedAt", "apiBaseUrl"] as const;

/** The token secret's JSON for a token Togai just issued, with dates read from its claims. */
export function tokenSecretValueFor(
  token: string,
  apiBaseUrl: string,
  keyVersionId?: string,
): TokenSecretValue {
  const claims = decodeTogaiToken(token);
  return {
    token,
    expiresAt: claims.expiresAt.toISOString(),
    issuedAt: claims.issuedAt.toISOString(),
    apiBaseUrl,
    ...(keyVersionId ? { keyVersionId } : {}),
  };
}

/**
 * Parses the token secret's value (the shared contract's JSON). The error names the secret and
 * the missing field, never the value.
 */
export function parseTokenSecretValue(raw: string, secretId: string): TokenSecretValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidTokenSecretError(
      `The token secret ${secretId} does not hold JSON: it must hold {"token","expiresAt","issuedAt","apiBaseUrl"} as written by the rotation function; run a rotation to repair it`,
    );
  }
  const value = parsed as Record<string, unknown>;
  for (const field of FIELDS) {
    if (typeof value?.[field] !== "string" || (value[field] as string).length === 0) {
      throw new InvalidTokenSecretError(
        `The token secret ${secretId} has no "${field}" string: it must hold the JSON written by the rotation function; run a rotation to repair it`,
      );
    }
  }
  for (const field of ["expiresAt", "issuedAt"] as const) {
    if (Number.isNaN(Date.parse(value[field] as string))) {
      throw new InvalidTokenSecretError(
        `The token secret ${secretId} has an "${field}" that is not an ISO 8601 date`,
      );
    }
  }
  return {
    token: value.token as string,
    expiresAt: value.expiresAt as string,
    issuedAt: value.issuedAt as string,
    apiBaseUrl: value.apiBaseUrl as string,
    ...(typeof value.keyVersionId === "string" ? { keyVersionId: value.keyVersionId } : {}),
  };
}
