/**
 * The token secret's JSON carries a major schema version. A reader accepts fields it does not
 * know and values without the version (written before 0.2.0), and refuses a newer major version
 * with an error naming it and what to do, never the token.
 */
import * as contract from "../../lib/contract";
import { TOKEN_SECRET_SCHEMA_VERSION } from "../../lib/contract";
import { InvalidTokenSecretError } from "../../lib/togai/errors";
import { parseTokenSecretValue, tokenSecretValueFor } from "../../lib/togai/token-secret";
import { TogaiStandIn } from "../support/togai-standin";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:togai-token-AbCdEf";
const token = new TogaiStandIn().mintToken();
const written = tokenSecretValueFor(token, "https://api.togai.com", "v-1");
const raw = (value: Record<string, unknown>) => JSON.stringify(value);

test("the function writes the current schema version, 1", () => {
  expect(TOKEN_SECRET_SCHEMA_VERSION).toBe(1);
  expect(written.schemaVersion).toBe(1);
  expect(parseTokenSecretValue(raw({ ...written }), ARN)).toEqual(written);
});

test("a value written before 0.2.0 (no schemaVersion, no keyVersionId) reads as version 1", () => {
  const { schemaVersion: _v, keyVersionId: _k, ...old } = written;
  expect(parseTokenSecretValue(raw(old), ARN)).toEqual({ ...old, schemaVersion: 1 });
});

test("fields a newer function adds are ignored", () => {
  const value = parseTokenSecretValue(
    raw({ ...written, region: "eu-west-1", extra: { a: 1 } }),
    ARN,
  );
  expect(value).toEqual(written);
});

test("a newer major version is refused, naming both versions and what to do, never the token", () => {
  const read = () => parseTokenSecretValue(raw({ ...written, schemaVersion: 2 }), ARN);
  expect(read).toThrow(InvalidTokenSecretError);
  expect(read).toThrow(
    `The token secret ${ARN} holds schema version 2, written by a newer rotation function; this cdktf-togai reads version 1`,
  );
  expect(read).toThrow("Upgrade cdktf-togai where this runs");
  try {
    read();
  } catch (error) {
    expect((error as Error).message).not.toContain(token);
  }
});

test.each([[0], [1.5], ["1"], [null]])("a schemaVersion of %p is refused as malformed", (v) => {
  expect(() => parseTokenSecretValue(raw({ ...written, schemaVersion: v }), ARN)).toThrow(
    'has a "schemaVersion" that is not a whole number from 1 up',
  );
});

test("./contract exports only the contract: JSON type, variable names, base URLs, stages, limits, metric", () => {
  expect(Object.keys(contract).sort()).toEqual([
    "DEFAULT_MIN_TOKEN_LIFE_HOURS",
    "DEFAULT_ROTATION_INTERVAL_HOURS",
    "MAX_ROTATION_INTERVAL_HOURS",
    "MIN_ROTATION_INTERVAL_HOURS",
    "ROTATION_ENV",
    "STAGE",
    "TOGAI_PRODUCTION_BASE_URL",
    "TOGAI_SANDBOX_BASE_URL",
    "TOKEN_LIFETIME_HOURS",
    "TOKEN_METRIC",
    "TOKEN_SECRET_ARN_ENV",
    "TOKEN_SECRET_SCHEMA_VERSION",
  ]);
});
