/**
 * startRotationNow clears an unfinished rotation's AWSPENDING, starts a rotation with the
 * configured function, and joins a rotation another caller started at the same moment;
 * startRotationAs starts one under a chosen version id and names why it could not.
 * Runs against the in-memory Secrets Manager (moto in test/cli/cli.int.test.ts).
 */
import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { SecretsManagerCallError } from "../../lib/aws/secrets-errors";
import {
  startRotationAs,
  startRotationNow,
  unfinishedVersionIds,
} from "../../lib/aws/start-rotation";
import { TogaiRuntimeError } from "../../lib/togai/errors";
import {
  createSecret,
  ROTATION_FUNCTION_ARN,
  tokenSecretWithRotation,
} from "../support/aws-fixtures";
import { InMemorySecretsManager } from "../support/secrets-manager-double";

let double: InMemorySecretsManager;
let client: SecretsManagerClient;

beforeEach(() => {
  double = new InMemorySecretsManager();
  client = double.client();
});

/** Starts a rotation as another caller would: AWSPENDING on a new version without a value. */
async function rotateAsAnotherCaller(arn: string): Promise<string> {
  const out = await client.send(
    new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: ROTATION_FUNCTION_ARN }),
  );
  return out.VersionId as string;
}

const stages = async (arn: string) =>
  (await client.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};

/** Runs `before` just before the client's next RotateSecret goes out (once). */
function beforeNextRotateSecret(before: () => Promise<void>): void {
  let done = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!done && context.commandName === "RotateSecretCommand") {
        done = true;
        await before();
      }
      return next(args);
    },
    { step: "initialize", name: "before-rotate" },
  );
}

test("unfinishedVersionIds: AWSPENDING without AWSCURRENT only", () => {
  expect(
    unfinishedVersionIds({
      a: ["AWSCURRENT"],
      b: ["AWSPENDING"],
      c: ["AWSCURRENT", "AWSPENDING"],
      d: ["AWSPREVIOUS"],
      e: ["AWSPENDING", "AWSPREVIOUS"],
    }),
  ).toEqual(["b", "e"]);
  expect(unfinishedVersionIds(undefined)).toEqual([]);
});

describe("startRotationNow", () => {
  test("no rotation running: one RotateSecret with the configured function, nothing cleared", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    const rotateCalls = double.count("RotateSecret");

    const started = await startRotationNow(client, arn);

    expect(started).toEqual({
      secretArn: arn,
      versionId: expect.any(String),
      clearedVersionIds: [],
      joinedConcurrentRotation: false,
    });
    expect((await stages(arn))[started.versionId as string]).toEqual(["AWSPENDING"]);
    expect(double.count("RotateSecret") - rotateCalls).toBe(1);
    const rotateCall = double.calls.filter((c) => c.operation === "RotateSecret").at(-1);
    expect(rotateCall?.input).toMatchObject({
      SecretId: arn,
      RotationLambdaARN: ROTATION_FUNCTION_ARN,
    });
    expect(double.count("UpdateSecretVersionStage")).toBe(0);
  });

  test("an unfinished rotation's AWSPENDING is cleared first, then a new rotation starts", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    const stale = await rotateAsAnotherCaller(arn);

    const started = await startRotationNow(client, arn);

    expect(started.clearedVersionIds).toEqual([stale]);
    expect(started.joinedConcurrentRotation).toBe(false);
    expect(started.versionId).not.toBe(stale);
    const now = await stages(arn);
    expect(now[stale]).toBeUndefined(); // no label left on it
    expect(now[started.versionId as string]).toEqual(["AWSPENDING"]);
  });

  test("another caller's rotation lands between the clearing and RotateSecret: it is joined, none started", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    const stale = await rotateAsAnotherCaller(arn);
    let concurrent = "";
    beforeNextRotateSecret(async () => {
      concurrent = await rotateAsAnotherCaller(arn);
    });

    const started = await startRotationNow(client, arn);

    expect(started).toEqual({
      secretArn: arn,
      versionId: concurrent,
      clearedVersionIds: [stale],
      joinedConcurrentRotation: true,
    });
    expect(unfinishedVersionIds(await stages(arn))).toEqual([concurrent]);
  });

  test("refused as in progress, but by a version it cleared itself (no other caller): the error stands", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    const stale = await rotateAsAnotherCaller(arn);
    beforeNextRotateSecret(async () => {
      // Something puts AWSPENDING back on the version just cleared: that is no new rotation.
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: "AWSPENDING",
          MoveToVersionId: stale,
        }),
      );
    });

    const error = await startRotationNow(client, arn).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretsManagerCallError);
    expect(error).toMatchObject({ operation: "RotateSecret", code: "InvalidRequestException" });
    expect((error as Error).message).toContain("A previous rotation isn't complete");
  });

  test("InvalidRequestException with no rotation in progress: the error stands", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    double.fault = (operation) =>
      operation === "RotateSecret"
        ? { status: 400, type: "InvalidRequestException", message: "the secret is being deleted" }
        : undefined;

    const error = await startRotationNow(client, arn).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "InvalidRequestException" });
    expect(double.count("DescribeSecret")).toBe(2); // looked for a concurrent rotation once
  });

  test("any other RotateSecret error stands, without looking for a concurrent rotation", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    double.fault = (operation) =>
      operation === "RotateSecret"
        ? { status: 400, type: "AccessDeniedException", message: "not allowed" }
        : undefined;

    const error = await startRotationNow(client, arn).catch((e: unknown) => e);

    expect(error).toMatchObject({ operation: "RotateSecret", code: "AccessDeniedException" });
    expect(double.count("DescribeSecret")).toBe(1);
  });

  test("a failure to clear names UpdateSecretVersionStage; no rotation is attempted", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    await rotateAsAnotherCaller(arn);
    const rotateCalls = double.count("RotateSecret");
    double.fault = (operation) =>
      operation === "UpdateSecretVersionStage"
        ? { status: 400, type: "AccessDeniedException", message: "not allowed" }
        : undefined;

    const error = await startRotationNow(client, arn).catch((e: unknown) => e);

    expect(error).toMatchObject({ operation: "UpdateSecretVersionStage" });
    expect(double.count("RotateSecret")).toBe(rotateCalls);
  });

  test("a secret without a rotation function: a sentence, and nothing changed", async () => {
    const arn = await createSecret(client, "plain", "value");

    const error = await startRotationNow(client, arn).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TogaiRuntimeError);
    expect((error as Error).message).toBe(
      `${arn} has no rotation function: deploy it with TogaiTokenRotation (is this the token secret?)`,
    );
    expect(double.count("RotateSecret")).toBe(0);
  });

  test("a secret that does not exist: the DescribeSecret error, mapped", async () => {
    const error = await startRotationNow(client, "no-such-secret").catch((e: unknown) => e);
    expect(error).toMatchObject({
      operation: "DescribeSecret",
      code: "ResourceNotFoundException",
    });
  });
});

describe("startRotationAs", () => {
  const VERSION = "togai-given-up-0123456789abcdef0123456789";

  test("started: the new version has the chosen id", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    await expect(startRotationAs(client, arn, ROTATION_FUNCTION_ARN, VERSION)).resolves.toBe(
      "started",
    );
    expect((await stages(arn))[VERSION]).toEqual(["AWSPENDING"]);
  });

  test("busy: another rotation is in progress, and nothing is cleared", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    const other = await rotateAsAnotherCaller(arn);
    await expect(startRotationAs(client, arn, ROTATION_FUNCTION_ARN, VERSION)).resolves.toBe(
      "busy",
    );
    expect(unfinishedVersionIds(await stages(arn))).toEqual([other]);
  });

  test("exists: a version of that id exists already", async () => {
    const arn = await tokenSecretWithRotation(client, '{"token":"t"}');
    await client.send(
      new PutSecretValueCommand({
        SecretId: arn,
        SecretString: "v",
        ClientRequestToken: VERSION,
        VersionStages: ["AWSPREVIOUS"],
      }),
    );
    await expect(startRotationAs(client, arn, ROTATION_FUNCTION_ARN, VERSION)).resolves.toBe(
      "exists",
    );
  });

  test("an InvalidRequestException other than a rotation in progress is thrown", async () => {
    const arn = await createSecret(client, "plain", "value");
    const error = await startRotationAs(client, arn, undefined, VERSION).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "InvalidRequestException" });
    expect((error as Error).message).toContain("No Lambda rotation function");
  });
});
