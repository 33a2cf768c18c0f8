/**
 * The moto launcher restores AWS behaviour the rotation depends on (docs/rotation-faults.md, M7):
 * a version that lost its last staging label is no longer listed by DescribeSecret, yet can be
 * read by its id, and versions carry creation dates that order them within one second.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { useMotoSecrets } from "../support/moto-server";
import { registerRotationFunction } from "../support/rotation-fixture";

const servers = useMotoSecrets();
let secrets: SecretsManagerClient;
beforeAll(() => {
  secrets = servers.secrets;
});

test("an unlabelled version: gone from DescribeSecret, still readable by id, dates ordered", async () => {
  const { ARN } = await secrets.send(
    new CreateSecretCommand({ Name: `moto-corrections-${Date.now()}`, SecretString: "one" }),
  );
  const second = "22222222-2222-4222-8222-222222222222";
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: ARN,
      ClientRequestToken: second,
      SecretString: "two",
      VersionStages: ["AWSPENDING"],
    }),
  );
  const listed = async () =>
    (await secrets.send(new DescribeSecretCommand({ SecretId: ARN }))).VersionIdsToStages ?? {};
  expect((await listed())[second]).toEqual(["AWSPENDING"]);

  await secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: ARN,
      VersionStage: "AWSPENDING",
      RemoveFromVersionId: second,
    }),
  );

  expect(Object.keys(await listed())).not.toContain(second);
  const byId = await secrets.send(new GetSecretValueCommand({ SecretId: ARN, VersionId: second }));
  expect(byId.SecretString).toBe("two");
  const first = await secrets.send(
    new GetSecretValueCommand({ SecretId: ARN, VersionStage: "AWSCURRENT" }),
  );
  // Created within the same second or two, yet ordered (AWS reports milliseconds).
  expect(byId.CreatedDate?.getTime()).toBeGreaterThan(first.CreatedDate?.getTime() ?? Infinity);
  const millis = [byId, first].map((v) => (v.CreatedDate?.getTime() ?? 0) % 1000);
  expect(millis.some((ms) => ms !== 0)).toBe(true);
});

describe("corrections the in-memory Secrets Manager's check found (AWS API references)", () => {
  const V1 = "11111111-1111-4111-8111-111111111111";
  const V2 = "22222222-2222-4222-8222-222222222222";
  const fresh = async (value?: string) =>
    (
      await secrets.send(
        new CreateSecretCommand({
          Name: `moto-corrections-${Date.now()}-${Math.random()}`.replace(".", ""),
          SecretString: value,
          ClientRequestToken: value === undefined ? undefined : V1,
        }),
      )
    ).ARN as string;
  const stages = async (arn: string) =>
    (await secrets.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
  const pendingPut = (arn: string, token: string, value: string) =>
    secrets.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: token,
        SecretString: value,
        VersionStages: ["AWSPENDING"],
      }),
    );

  test("PutSecretValue never replaces a version's value: the same value is a no-op, another is refused", async () => {
    const arn = await fresh("one");
    await pendingPut(arn, V2, "two");
    await expect(pendingPut(arn, V2, "two")).resolves.toMatchObject({ VersionId: V2 });
    await expect(pendingPut(arn, V2, "other")).rejects.toThrow(
      /ClientRequestToken .* already in use/,
    );
    const read = await secrets.send(new GetSecretValueCommand({ SecretId: arn, VersionId: V2 }));
    expect(read.SecretString).toBe("two");
  });

  test("PutSecretValue moves the labels it names away from other versions (a secret's first value)", async () => {
    // A first rotation: RotateSecret stages a version id without a value, then a put with
    // AWSPENDING under another id becomes AWSCURRENT too (the secret's first value) and takes
    // AWSPENDING from the staged id.
    const arn = await fresh();
    await secrets.send(
      new RotateSecretCommand({
        SecretId: arn,
        ClientRequestToken: V1,
        RotationLambdaARN: await registerRotationFunction(`moto-corrections-${Date.now()}`),
      }),
    );
    await pendingPut(arn, V2, "first");
    expect(await stages(arn)).toEqual({ [V2]: ["AWSPENDING", "AWSCURRENT"] });
  });

  test("a failed UpdateSecretVersionStage changes nothing", async () => {
    const arn = await fresh("one");
    await expect(
      secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: "AWSCURRENT",
          RemoveFromVersionId: V1,
          MoveToVersionId: V2,
        }),
      ),
    ).rejects.toThrow(`Not a valid version: ${V2}`);
    expect(await stages(arn)).toEqual({ [V1]: ["AWSCURRENT"] });
  });

  test("a secret scheduled for deletion refuses PutSecretValue and UpdateSecretVersionStage", async () => {
    const arn = await fresh("one");
    await secrets.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
    await expect(pendingPut(arn, V2, "two")).rejects.toThrow("marked for deletion");
    await expect(
      secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: "AWSCURRENT",
          RemoveFromVersionId: V1,
        }),
      ),
    ).rejects.toThrow("marked for deletion");
  });
});
