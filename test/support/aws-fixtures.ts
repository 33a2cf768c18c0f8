import { randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
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
