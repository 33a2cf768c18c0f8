import {
  DescribeSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { STAGE } from "../contract";
import { TogaiRuntimeError } from "../togai/errors";
import { callSecretsManager, SecretsManagerCallError } from "./secrets-errors";

export interface StartedRotation {
  readonly secretArn: string;
  readonly versionId?: string;
  /** Versions whose AWSPENDING label, left by an unfinished rotation, was removed first. */
  readonly clearedVersionIds: string[];
  /**
   * True when another caller started a rotation at the same moment (RotateSecret was refused as
   * "not complete" right after the labels were cleared): that rotation, begun after ours was
   * asked for, is the one that runs; no second one is started.
   */
  readonly joinedConcurrentRotation: boolean;
}

/** Version ids holding AWSPENDING without AWSCURRENT: an unfinished rotation. */
export function unfinishedVersionIds(versions: Record<string, string[]> | undefined): string[] {
  return Object.entries(versions ?? {})
    .filter(([, stages]) => stages.includes(STAGE.pending) && !stages.includes(STAGE.current))
    .map(([id]) => id);
}

/**
 * Starts a rotation now. An AWSPENDING label left on another version by an unfinished rotation is
 * removed first, or Secrets Manager refuses the new rotation as still in progress. The function
 * ARN is always passed, so the configured function is kept.
 *
 * Two callers starting at once (the CLI's `put-api-key --token-secret-id` and the key-change
 * trigger) converge: each clears, and the later RotateSecret either supersedes the earlier
 * version (whose remaining steps then fail by rule 4, without touching AWSCURRENT) or is refused
 * because the other one just started, which is then the rotation that runs.
 */
export async function startRotationNow(
  secrets: SecretsManagerClient,
  secretId: string,
): Promise<StartedRotation> {
  const describe = () =>
    callSecretsManager("DescribeSecret", () =>
      secrets.send(new DescribeSecretCommand({ SecretId: secretId })),
    );
  const meta = await describe();
  if (!meta.RotationLambdaARN) {
    throw new TogaiRuntimeError(
      `${secretId} has no rotation function: deploy it with TogaiTokenRotation (is this the token secret?)`,
    );
  }
  const clearedVersionIds: string[] = [];
  for (const versionId of unfinishedVersionIds(meta.VersionIdsToStages)) {
    await callSecretsManager("UpdateSecretVersionStage", () =>
      secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: STAGE.pending,
          RemoveFromVersionId: versionId,
        }),
      ),
    );
    clearedVersionIds.push(versionId);
  }
  const secretArn = meta.ARN ?? secretId;
  try {
    const out = await callSecretsManager("RotateSecret", () =>
      secrets.send(
        new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: meta.RotationLambdaARN }),
      ),
    );
    return {
      secretArn,
      versionId: out.VersionId,
      clearedVersionIds,
      joinedConcurrentRotation: false,
    };
  } catch (error) {
    if (!(error instanceof SecretsManagerCallError) || error.code !== "InvalidRequestException") {
      throw error;
    }
    const [concurrent] = unfinishedVersionIds((await describe()).VersionIdsToStages);
    if (!concurrent || clearedVersionIds.includes(concurrent)) throw error;
    return { secretArn, versionId: concurrent, clearedVersionIds, joinedConcurrentRotation: true };
  }
}

/**
 * Starts a rotation under a version id the caller chose (RotateSecret's ClientRequestToken, 32
 * to 64 characters), clearing nothing: used by the rotation function to replace a version it
 * gave up, so that the new version's id says who started it. Resolves to "busy" when Secrets
 * Manager refuses because another rotation is in progress (that one runs instead), and to
 * "exists" when a version of that id exists already (a ClientRequestToken is never reused).
 */
export async function startRotationAs(
  secrets: SecretsManagerClient,
  secretId: string,
  rotationLambdaArn: string | undefined,
  versionId: string,
): Promise<"started" | "busy" | "exists"> {
  try {
    await callSecretsManager("RotateSecret", () =>
      secrets.send(
        new RotateSecretCommand({
          SecretId: secretId,
          ClientRequestToken: versionId,
          RotationLambdaARN: rotationLambdaArn,
        }),
      ),
    );
    return "started";
  } catch (error) {
    if (!(error instanceof SecretsManagerCallError)) throw error;
    if (error.code === "ResourceExistsException") return "exists";
    if (error.code === "InvalidRequestException" && /previous rotation/i.test(error.message)) {
      return "busy";
    }
    throw error;
  }
}
