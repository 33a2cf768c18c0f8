/**
 * Runs rotations the way Secrets Manager does: RotateSecret stages an AWSPENDING version id,
 * then the function runs createSecret, setSecret, testSecret and finishSecret in order. The
 * function is the deployed bundle itself (extracted from the zip), run in-process because moto
 * cannot run Lambda code, with the environment the deployed function declares.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { readZipEntries } from "./zip";

export const ROTATION_STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;

export const PROJECT_ROOT = join(__dirname, "..", "..");
export const ROTATION_ZIP = join(PROJECT_ROOT, "assets", "rotation-function.zip");

export type RotationHandler = (
  event: { Step: string; SecretId: string; ClientRequestToken: string },
  context: { getRemainingTimeInMillis(): number },
) => Promise<void>;

/**
 * Loads the handler from a rotation zip (by default the one the construct deploys) into a fresh
 * module instance, after setting the function's environment variables.
 */
export async function loadRotationHandler(
  environment: Record<string, string>,
  zipPath = ROTATION_ZIP,
): Promise<RotationHandler> {
  const entries = await readZipEntries(readFileSync(zipPath));
  const code = entries.get("index.js");
  if (!code) throw new Error(`${zipPath} has no index.js`);
  const dir = mkdtempSync(join(tmpdir(), "togai-rotation-"));
  const file = join(dir, "index.js");
  writeFileSync(file, code);
  const mod = require(file) as { handler: RotationHandler };
  // Each handler instance reads its environment on its first invocation, as a Lambda container
  // does; setting it before every call keeps several fixtures in one test file apart.
  return (event, context) => {
    Object.assign(process.env, environment);
    return mod.handler(event, context);
  };
}

/** A Lambda context whose deadline is `timeoutMs` from now. */
export function lambdaContext(timeoutMs = 30_000): { getRemainingTimeInMillis(): number } {
  const deadline = Date.now() + timeoutMs;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
}

/** The version id holding `stage`, if any. */
export async function versionWithStage(
  secrets: SecretsManagerClient,
  secretId: string,
  stage: string,
): Promise<string | undefined> {
  const meta = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  const versions = meta.VersionIdsToStages ?? {};
  return Object.keys(versions).find((id) => versions[id].includes(stage));
}

export interface RotationRun {
  readonly versionId: string;
  readonly error?: Error;
  readonly failedStep?: string;
}

/**
 * Starts a rotation (unless one is already pending, as after Terraform's immediate rotation) and
 * runs the four steps; stops at the first failing step, as Secrets Manager does.
 */
export async function driveRotation(options: {
  handler: RotationHandler;
  secrets: SecretsManagerClient;
  secretArn: string;
  functionArn: string;
  timeoutMs?: number;
  steps?: readonly string[];
}): Promise<RotationRun> {
  const { secrets, secretArn } = options;
  let versionId = await versionWithStage(secrets, secretArn, "AWSPENDING");
  const current = await versionWithStage(secrets, secretArn, "AWSCURRENT");
  if (!versionId || versionId === current) {
    const out = await secrets.send(
      new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: options.functionArn }),
    );
    versionId = out.VersionId as string;
  }
  for (const step of options.steps ?? ROTATION_STEPS) {
    try {
      await options.handler(
        { Step: step, SecretId: secretArn, ClientRequestToken: versionId },
        lambdaContext(options.timeoutMs),
      );
    } catch (error) {
      return { versionId, error: error as Error, failedStep: step };
    }
  }
  return { versionId };
}
