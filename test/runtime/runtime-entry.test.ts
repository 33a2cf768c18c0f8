/**
 * The `cdktf-togai/runtime` entry point: what a consumer imports, and the typed errors it
 * branches on. Invariants: every documented name is exported; each error has its own name (kept
 * through bundling) and is also caught as its base class; the fields callers read are set.
 */
import * as runtime from "cdktf-togai/runtime";

test("the entry exports the client, buffer, provider, validation and the typed errors", () => {
  for (const name of [
    "TogaiClient",
    "TogaiEventBuffer",
    "TogaiTokenProvider",
    "validateEvent",
    "isRetryable",
    "parseRetryAfter",
    "authenticate",
    "decodeTogaiToken",
    "partialSecretArn",
    "secretNameFromArn",
    "SecretsManagerCallError",
    "TogaiIngestError",
    "InvalidEventError",
  ]) {
    expect(typeof (runtime as Record<string, unknown>)[name]).toBe("function");
  }
  expect(runtime.TOKEN_SECRET_ARN_ENV).toBe("TOGAI_TOKEN_SECRET_ARN");
});

test.each([
  ["TokenNotMintedError", new runtime.TokenNotMintedError("m")],
  ["TokenExpiredError", new runtime.TokenExpiredError("m")],
  ["TokenReadTimeoutError", new runtime.TokenReadTimeoutError("m")],
  ["TogaiClientClosedError", new runtime.TogaiClientClosedError("m")],
  ["TogaiBufferFullError", new runtime.TogaiBufferFullError("m")],
  ["TogaiBufferClosedError", new runtime.TogaiBufferClosedError("m")],
  ["TogaiIngestError", new runtime.TogaiIngestError("m", [], [])],
])("%s has its own name and is a TogaiRuntimeError", (name, error) => {
  expect(error.name).toBe(name);
  expect(error).toBeInstanceOf(runtime.TogaiRuntimeError);
});

test("errors carry the fields callers branch on", () => {
  const invalid = new runtime.InvalidEventError("bad", 3, "attributes[0].value");
  expect(invalid).toMatchObject({
    name: "InvalidEventError",
    eventIndex: 3,
    field: "attributes[0].value",
  });

  const rejected = new runtime.TogaiTokenRejectedError("no", 401, "/ingest");
  expect(rejected).toBeInstanceOf(runtime.TogaiAuthenticationError);
  expect(rejected).toMatchObject({ name: "TogaiTokenRejectedError", status: 401 });

  const throttled = new runtime.TogaiTokenThrottledError(
    "wait",
    429,
    "/ingest",
    "2026-11-28T08:00:01.000Z",
  );
  expect(throttled).toBeInstanceOf(runtime.TogaiRateLimitError);
  expect(runtime.isRetryable(throttled)).toBe(true);
  expect(throttled.retryAt).toBe("2026-11-28T08:00:01.000Z");

  const failed = [{ index: 0, id: "a", reason: "r", retryable: true }];
  const cause = new Error("stopped");
  const ingest = new runtime.TogaiIngestError("m", [{ index: 1, id: "b" }], failed, { cause });
  expect(ingest).toMatchObject({ accepted: [{ index: 1, id: "b" }], failed, cause });
});
