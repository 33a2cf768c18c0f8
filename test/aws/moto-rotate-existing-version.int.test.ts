/**
 * RotateSecret with the ClientRequestToken of a version that already exists, as the rotation
 * function's fresh start may send it (togai-heal-<id> is derived, not random). AWS documents the
 * token as an idempotency key: a version's value can never be modified (docs/rotation-faults.md,
 * M8), so an existing version with a value is never emptied, nor re-staged as a new rotation.
 * The moto launcher must play that, or tests of the fresh start pass on an emulator difference.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { useMotoSecrets } from "../support/moto-server";
import { createRotationFixture } from "../support/rotation-fixture";

const servers = useMotoSecrets();
let secrets: SecretsManagerClient;
beforeAll(() => {
  secrets = servers.secrets;
});

test("RotateSecret naming a deprecated version that holds a value neither empties it nor stages it AWSPENDING", async () => {
  const fx = await createRotationFixture({ secrets, togaiBaseUrl: "http://127.0.0.1:9" });
  const arn = fx.tokenArn;
  const listed = async () =>
    (await secrets.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
  const [first] = Object.keys(await listed());
  // The staged version gets the secret's first value (AWSCURRENT), then a second value that
  // loses its label: a deprecated version, as a given-up rotation leaves behind.
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: arn,
      ClientRequestToken: first,
      SecretString: "first",
      VersionStages: ["AWSPENDING"],
    }),
  );
  await secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: arn,
      VersionStage: "AWSPENDING",
      RemoveFromVersionId: first,
    }),
  );
  const deprecated = "togai-heal-33333333-3333-4333-8333-333333333333";
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: arn,
      ClientRequestToken: deprecated,
      SecretString: "given up",
      VersionStages: ["AWSPENDING"],
    }),
  );
  await secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: arn,
      VersionStage: "AWSPENDING",
      RemoveFromVersionId: deprecated,
    }),
  );

  await secrets
    .send(
      new RotateSecretCommand({
        SecretId: arn,
        ClientRequestToken: deprecated,
        RotationLambdaARN: fx.functionArn,
      }),
    )
    .catch(() => undefined);

  const byId = await secrets
    .send(new GetSecretValueCommand({ SecretId: arn, VersionId: deprecated }))
    .then(
      (out) => out.SecretString,
      (error: Error) => `unreadable: ${error.name}`,
    );
  expect({ value: byId, stages: (await listed())[deprecated] }).toEqual({
    value: "given up",
    stages: undefined,
  });
});
