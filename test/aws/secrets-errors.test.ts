/**
 * secretsManagerErrorFor turns whatever the AWS SDK threw into a short SecretsManagerCallError:
 * operation, AWS's error name, HTTP status, one line of AWS's message, and the number of attempts;
 * a body that is not AWS JSON is named as such, never dumped.
 */
import { Readable } from "node:stream";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  callSecretsManager,
  SecretsManagerCallError,
  secretsManagerErrorFor,
} from "../../lib/aws/secrets-errors";
import { TogaiRuntimeError } from "../../lib/togai/errors";
import { InMemorySecretsManager } from "../support/secrets-manager-double";

/** What the SDK throws: an error with AWS's name and the response metadata. */
const sdkError = (name: string, message: string, metadata?: object) =>
  Object.assign(new Error(message), { name, $metadata: metadata });

describe("secretsManagerErrorFor", () => {
  test("names the operation, AWS's error name, the status, and the attempts after a retry", () => {
    const error = secretsManagerErrorFor(
      "PutSecretValue",
      sdkError("ThrottlingException", "Rate exceeded", { httpStatusCode: 400, attempts: 3 }),
    );
    expect(error).toBeInstanceOf(SecretsManagerCallError);
    expect(error).toBeInstanceOf(TogaiRuntimeError);
    expect(error.name).toBe("SecretsManagerCallError");
    expect(error.message).toBe(
      "Secrets Manager PutSecretValue failed: ThrottlingException (HTTP 400): Rate exceeded after 3 attempts",
    );
    expect(error).toMatchObject({
      operation: "PutSecretValue",
      code: "ThrottlingException",
      status: 400,
    });
  });

  test("a single attempt and no status: neither is mentioned", () => {
    const error = secretsManagerErrorFor(
      "GetSecretValue",
      sdkError("AccessDeniedException", "not allowed", { attempts: 1 }),
    );
    expect(error.message).toBe(
      "Secrets Manager GetSecretValue failed: AccessDeniedException: not allowed",
    );
    expect(error.status).toBeUndefined();
  });

  test("a body that is not JSON (SyntaxError) is named as such, its text left out", () => {
    const error = secretsManagerErrorFor(
      "DescribeSecret",
      sdkError("SyntaxError", `Unexpected token '<', "<html>Bad gateway"... is not valid JSON`, {
        httpStatusCode: 502,
        attempts: 3,
      }),
    );
    expect(error.message).toBe(
      "Secrets Manager DescribeSecret answered (HTTP 502) with a body that is not AWS JSON (an outage or proxy page?) after 3 attempts",
    );
    expect(error.code).toBe("NonJsonResponse");
    expect(error.status).toBe(502);
  });

  test("a plain Error, or nothing at all, becomes UnknownError", () => {
    expect(secretsManagerErrorFor("RotateSecret", new Error("socket hang up")).message).toBe(
      "Secrets Manager RotateSecret failed: UnknownError: socket hang up",
    );
    const nothing = secretsManagerErrorFor("RotateSecret", undefined);
    expect(nothing.message).toBe("Secrets Manager RotateSecret failed: UnknownError");
    expect(nothing.code).toBe("UnknownError");
  });

  test("AWS's message is cut to its first line and 200 characters", () => {
    const long = `${"x".repeat(300)}\nsecond line`;
    const error = secretsManagerErrorFor("PutSecretValue", sdkError("InternalServiceError", long));
    expect(error.message).toBe(
      `Secrets Manager PutSecretValue failed: InternalServiceError: ${"x".repeat(200)}`,
    );
  });

  test("an error already mapped is returned as is (the first operation's name is kept)", () => {
    const first = secretsManagerErrorFor("DescribeSecret", sdkError("ThrottlingException", "slow"));
    expect(secretsManagerErrorFor("RotateSecret", first)).toBe(first);
  });
});

describe("callSecretsManager", () => {
  test("passes a result through", async () => {
    await expect(callSecretsManager("DescribeSecret", async () => 42)).resolves.toBe(42);
  });

  test("a real SDK client's AWS error arrives mapped, with status and attempts", async () => {
    const double = new InMemorySecretsManager();
    double.fault = () => ({ status: 500, type: "InternalServiceError", message: "try later" });
    const client = double.client({ maxAttempts: 2 });

    const error = await callSecretsManager("DescribeSecret", () =>
      client.send(new DescribeSecretCommand({ SecretId: "any" })),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretsManagerCallError);
    expect((error as Error).message).toBe(
      "Secrets Manager DescribeSecret failed: InternalServiceError (HTTP 500): try later after 2 attempts",
    );
    expect(double.count("DescribeSecret")).toBe(2);
  });

  test("a real SDK client given an HTML page: NonJsonResponse, the page not repeated", async () => {
    const client = new SecretsManagerClient({
      region: "us-east-1",
      credentials: { accessKeyId: "unit", secretAccessKey: "unit" },
      maxAttempts: 1,
      requestHandler: {
        handle: async () => ({
          response: {
            statusCode: 502,
            headers: { "content-type": "text/html" },
            body: Readable.from([Buffer.from("<html>Bad gateway from the proxy</html>")]),
          },
        }),
      },
    });

    const error = (await callSecretsManager("DescribeSecret", () =>
      client.send(new DescribeSecretCommand({ SecretId: "any" })),
    ).catch((e: unknown) => e)) as SecretsManagerCallError;

    expect(error.code).toBe("NonJsonResponse");
    expect(error.status).toBe(502);
    expect(error.message).not.toContain("Bad gateway");
  });
});
