/**
 * A token secret, an API-key secret and a rotation function registered in moto, wired as
 * TogaiTokenRotation wires them, for rotation tests that do not need Terraform.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { ROTATION_ENV } from "../../lib/contract";
import { loadRotationHandler, ROTATION_ZIP, type RotationHandler } from "./rotation-driver";

export interface RotationFixture {
  readonly apiKeyArn: string;
  readonly tokenArn: string;
  readonly functionArn: string;
  readonly handler: RotationHandler;
  readonly environment: Record<string, string>;
}

export async function createRotationFixture(options: {
  secrets: SecretsManagerClient;
  togaiBaseUrl: string;
  /** The key to store; undefined leaves the API-key secret without a value. */
  apiKey?: string;
  minTokenLifeHours?: number;
}): Promise<RotationFixture> {
  const id = randomUUID().slice(0, 8);
  const iam = new IAMClient({});
  const lambda = new LambdaClient({});
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: `togai-rotation-${id}`,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
    }),
  );
  const apiKey = await options.secrets.send(
    new CreateSecretCommand({ Name: `togai/api-key-${id}`, SecretString: options.apiKey }),
  );
  const token = await options.secrets.send(new CreateSecretCommand({ Name: `togai/token-${id}` }));
  const environment: Record<string, string> = {
    [ROTATION_ENV.apiKeySecretArn]: apiKey.ARN as string,
    [ROTATION_ENV.tokenSecretArn]: token.ARN as string,
    [ROTATION_ENV.apiBaseUrl]: options.togaiBaseUrl,
    [ROTATION_ENV.minTokenLifeHours]: String(options.minTokenLifeHours ?? 20),
  };
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: `togai-rotation-${id}`,
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Role: role.Role?.Arn,
      Code: { ZipFile: readFileSync(ROTATION_ZIP) },
      Environment: { Variables: environment },
    }),
  );
  // Configures rotation; Secrets Manager stages the first AWSPENDING version id at once.
  await options.secrets.send(
    new RotateSecretCommand({
      SecretId: token.ARN,
      RotationLambdaARN: fn.FunctionArn,
      RotationRules: { ScheduleExpression: "rate(6 hours)" },
    }),
  );
  return {
    apiKeyArn: apiKey.ARN as string,
    tokenArn: token.ARN as string,
    functionArn: fn.FunctionArn as string,
    handler: await loadRotationHandler(environment),
    environment,
  };
}
