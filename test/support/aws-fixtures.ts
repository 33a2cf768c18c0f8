import { randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { tokenSecretValueFor } from "../../lib/togai/token-secret";

/** A fresh secret in the emulator; `value` undefined leaves it without a version. */
export async function createSecret(
  secrets: SecretsManagerClient,
  prefix: string,
  value?: string,
): Promise<string> {
  const out = await secrets.send(
    new CreateSecretCommand({ Name: `${prefix}-${randomUUID().slice(0, 8)}`, SecretString: value }),
  );
  return out.ARN as string;
}

/** A rotation function's ARN, for Secrets Manager models that do not check it exists. */
export const ROTATION_FUNCTION_ARN =
  "arn:aws:lambda:us-east-1:123456789012:function:togai-rotation";

/**
 * A token secret with a rotation function and a `rate(6 hours)` schedule and no rotation
 * running (RotateImmediately false), holding `value` when one is given.
 */
export async function tokenSecretWithRotation(
  secrets: SecretsManagerClient,
  value?: string,
): Promise<string> {
  const arn = await createSecret(secrets, "token", value);
  await secrets.send(
    new RotateSecretCommand({
      SecretId: arn,
      RotationLambdaARN: ROTATION_FUNCTION_ARN,
      RotationRules: { ScheduleExpression: "rate(6 hours)" },
      RotateImmediately: false,
    }),
  );
  return arn;
}

/** Writes a token into a token secret as the rotation function would (AWSCURRENT). */
export async function putToken(
  secrets: SecretsManagerClient,
  secretArn: string,
  token: string,
  apiBaseUrl: string,
): Promise<void> {
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: secretArn,
      SecretString: JSON.stringify(tokenSecretValueFor(token, apiBaseUrl)),
    }),
  );
}

/** Counts the Secrets Manager commands a client sends, by command name. */
export function countCommands(client: SecretsManagerClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: `count-${randomUUID()}` },
  );
  return counts;
}
