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
  const functionArn = await registerRotationFunction(`togai-rotation-${id}`, environment);
  // Configures rotation; Secrets Manager stages the first AWSPENDING version id at once.
  await options.secrets.send(
    new RotateSecretCommand({
      SecretId: token.ARN,
      RotationLambdaARN: functionArn,
      RotationRules: { ScheduleExpression: "rate(6 hours)" },
    }),
  );
  return {
    apiKeyArn: apiKey.ARN as string,
    tokenArn: token.ARN as string,
    functionArn,
    handler: await loadRotationHandler(environment),
    environment,
  };
}

/**
 * Registers the rotation zip as a function in moto (which cannot run it: the tests run its
 * handler), with a role it may assume; resolves to its ARN, which RotateSecret requires.
 */
export async function registerRotationFunction(
  name: string,
  environment: Record<string, string> = {},
): Promise<string> {
  const role = await new IAMClient({}).send(
    new CreateRoleCommand({
      RoleName: name,
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
  const fn = await new LambdaClient({}).send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Role: role.Role?.Arn,
      Code: { ZipFile: readFileSync(ROTATION_ZIP) },
      Environment: { Variables: environment },
    }),
  );
  return fn.FunctionArn as string;
}
