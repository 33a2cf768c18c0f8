/**
 * readSecretString reads one version of a secret, always naming the stage it reads, and answers
 * `undefined` for a version without a value; any other failure propagates.
 */
import {
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { readSecretString } from "../../lib/aws/secrets";
import { createSecret } from "../support/aws-fixtures";
import { InMemorySecretsManager } from "../support/secrets-manager-double";

let double: InMemorySecretsManager;
const client = () => double.client();

beforeEach(() => {
  double = new InMemorySecretsManager();
});

test("without a selector's stage or version, reads AWSCURRENT, asked for explicitly", async () => {
  const arn = await createSecret(client(), "read", "first");
  await client().send(new PutSecretValueCommand({ SecretId: arn, SecretString: "second" }));

  const read = await readSecretString(client(), { secretId: arn });

  expect(read?.value).toBe("second");
  expect(read?.createdDate).toBeInstanceOf(Date);
  expect(double.calls.at(-1)).toEqual({
    operation: "GetSecretValue",
    input: { SecretId: arn, VersionStage: "AWSCURRENT" },
  });
});

test("a version id alone reads that version (no stage sent: a version without labels is read)", async () => {
  const arn = await createSecret(client(), "read", "first");
  const first = (await readSecretString(client(), { secretId: arn }))?.versionId as string;
  await client().send(new PutSecretValueCommand({ SecretId: arn, SecretString: "second" }));
  await client().send(new PutSecretValueCommand({ SecretId: arn, SecretString: "third" }));

  const read = await readSecretString(client(), { secretId: arn, versionId: first });

  expect(read).toMatchObject({ value: "first", versionId: first });
  expect(double.calls.at(-1)?.input).toEqual({ SecretId: arn, VersionId: first });
});

test("a version id with a stage sends both", async () => {
  const arn = await createSecret(client(), "read", "first");
  const current = (await readSecretString(client(), { secretId: arn }))?.versionId as string;

  const read = await readSecretString(client(), {
    secretId: arn,
    versionId: current,
    versionStage: "AWSCURRENT",
  });

  expect(read?.value).toBe("first");
  expect(double.calls.at(-1)?.input).toEqual({
    SecretId: arn,
    VersionId: current,
    VersionStage: "AWSCURRENT",
  });
});

test.each([
  ["a secret never written", async (arn: string) => arn, undefined],
  [
    "AWSPENDING staged by RotateSecret, not yet created",
    async (arn: string) => {
      await client().send(
        new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: "arn:aws:lambda:x" }),
      );
      return arn;
    },
    "AWSPENDING",
  ],
  ["a secret that does not exist", async () => "no-such-secret", undefined],
])("%s: undefined", async (_name, prepare, stage) => {
  const arn = await createSecret(client(), "read");
  const id = await prepare(arn);
  await expect(
    readSecretString(client(), { secretId: id, versionStage: stage }),
  ).resolves.toBeUndefined();
});

test("any other failure propagates as the SDK's error", async () => {
  double.fault = () => ({ status: 400, type: "AccessDeniedException", message: "denied" });
  const error = await readSecretString(client(), { secretId: "x" }).catch((e: unknown) => e);
  expect((error as Error).name).toBe("AccessDeniedException");
  expect(error).not.toBeInstanceOf(ResourceNotFoundException);
});
