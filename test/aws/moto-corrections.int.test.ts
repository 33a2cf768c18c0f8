/**
 * The moto launcher restores AWS behaviour the rotation depends on (docs/rotation-faults.md, M7):
 * a version that lost its last staging label is no longer listed by DescribeSecret, yet can be
 * read by its id, and versions carry creation dates that order them within one second.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { useMotoSecrets } from "../support/moto-server";

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
