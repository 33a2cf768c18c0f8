import { TOKEN_SECRET_SCHEMA_VERSION, type TokenSecretValue } from "../contract";
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
    schemaVersion: TOKEN_SECRET_SCHEMA_VERSION,
    token,
    expiresAt: claims.expiresAt.toISOString(),
    issuedAt: claims.issuedAt.toISOString(),
    apiBaseUrl,
    ...(keyVersionId ? { keyVersionId } : {}),
  };
}

/**
 * Parses the token secret's value (the shared contract's JSON). Fields it does not know are
 * ignored (a newer function may add some); a value without `schemaVersion` is version 1 (written
 * before 0.2.0); a newer major version is refused, since this reader would misread it. The error
 * names the secret and what is wrong, never the value.
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
  const schemaVersion = schemaVersionOf(value, secretId);
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
    schemaVersion,
    token: value.token as string,
    expiresAt: value.expiresAt as string,
    issuedAt: value.issuedAt as string,
    apiBaseUrl: value.apiBaseUrl as string,
    ...(typeof value.keyVersionId === "string" ? { keyVersionId: value.keyVersionId } : {}),
  };
}

/** The value's major schema version; refuses one this reader does not know. */
function schemaVersionOf(value: Record<string, unknown> | null, secretId: string): number {
  const version = value?.schemaVersion;
  if (version === undefined) return 1;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new InvalidTokenSecretError(
      `The token secret ${secretId} has a "schemaVersion" that is not a whole number from 1 up; run a rotation to repair it`,
    );
  }
  if (version > TOKEN_SECRET_SCHEMA_VERSION) {
    throw new InvalidTokenSecretError(
      `The token secret ${secretId} holds schema version ${version}, written by a newer rotation function; this cdktf-togai reads version ${TOKEN_SECRET_SCHEMA_VERSION} and would misread it. Upgrade cdktf-togai where this runs to the version of the deployed rotation function (or newer): consumers are upgraded first, then the function`,
    );
  }
  return version;
}
