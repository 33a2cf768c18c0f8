/**
 * The unit lane's rotation fixture: the same secrets, environment and handler shape as
 * rotation-fixture.ts (moto_server and the deployed bundle), on the in-memory Secrets Manager
 * and the handler's TypeScript source. The integration lane proves the bundle on moto.
 */
import { randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { ROTATION_ENV } from "../../lib/contract";
import { rotationConfigFromEnv, TogaiTokenRotator } from "../../lib/function/rotation-handler";
import type { RotationFixture } from "./rotation-fixture";
import { InMemorySecretsManager } from "./secrets-manager-double";

export interface UnitRotationFixture extends RotationFixture {
  readonly sm: InMemorySecretsManager;
  /** A client of the in-memory Secrets Manager, for the test's own reads and writes. */
  readonly secrets: SecretsManagerClient;
}

export async function unitRotationFixture(options: {
  togaiBaseUrl: string;
  /** The key to store; undefined leaves the API-key secret without a value. */
  apiKey?: string;
  minTokenLifeHours?: number;
}): Promise<UnitRotationFixture> {
  const sm = new InMemorySecretsManager();
  const secrets = sm.client();
  const id = randomUUID().slice(0, 8);
  const apiKey = await secrets.send(
    new CreateSecretCommand({ Name: `togai/api-key-${id}`, SecretString: options.apiKey }),
  );
  const token = await secrets.send(new CreateSecretCommand({ Name: `togai/token-${id}` }));
  const environment: Record<string, string> = {
    [ROTATION_ENV.apiKeySecretArn]: apiKey.ARN as string,
    [ROTATION_ENV.tokenSecretArn]: token.ARN as string,
    [ROTATION_ENV.apiBaseUrl]: options.togaiBaseUrl,
    [ROTATION_ENV.minTokenLifeHours]: String(options.minTokenLifeHours ?? 20),
  };
  const functionArn = `arn:aws:lambda:us-east-1:123456789012:function:togai-rotation-${id}`;
  // Configures rotation; Secrets Manager stages the first AWSPENDING version id at once.
  await secrets.send(
    new RotateSecretCommand({
      SecretId: token.ARN,
      RotationLambdaARN: functionArn,
      RotationRules: { ScheduleExpression: "rate(6 hours)" },
    }),
  );
  const rotator = new TogaiTokenRotator(rotationConfigFromEnv(environment), {
    secrets: sm.client(),
    random: () => 0,
  });
  return {
    sm,
    secrets,
    apiKeyArn: apiKey.ARN as string,
    tokenArn: token.ARN as string,
    functionArn,
    handler: (event, context) => rotator.invoke(event, context),
    environment,
  };
}
