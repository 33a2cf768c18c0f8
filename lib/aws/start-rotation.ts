import { STAGE } from "../contract";
import { RotationError } from "../togai/errors";

/** The Secrets Manager calls that starting a rotation needs (the SDK or the light client). */
export interface RotationStarter {
  describeSecret(secretId: string): Promise<{
    ARN?: string;
    RotationLambdaARN?: string;
    VersionIdsToStages?: Record<string, string[]>;
  }>;
  updateSecretVersionStage(input: {
    SecretId: string;
    VersionStage: string;
    RemoveFromVersionId: string;
  }): Promise<unknown>;
  rotateSecret(input: { SecretId: string; RotationLambdaARN: string }): Promise<string | undefined>;
}

export interface StartedRotation {
  readonly secretArn: string;
  readonly versionId?: string;
  /** Versions whose AWSPENDING label, left by an unfinished rotation, was removed first. */
  readonly clearedVersionIds: string[];
}

/**
 * Starts a rotation now. An AWSPENDING label left on another version by an unfinished rotation is
 * removed first, or Secrets Manager refuses the new rotation as still in progress. The function
 * ARN is always passed, so the configured function is kept.
 */
export async function startRotationNow(
  api: RotationStarter,
  secretId: string,
): Promise<StartedRotation> {
  const meta = await api.describeSecret(secretId);
  if (!meta.RotationLambdaARN) {
    throw new RotationError(
      `${secretId} has no rotation function: deploy it with TogaiTokenRotation (is this the token secret?)`,
    );
  }
  const clearedVersionIds: string[] = [];
  for (const [versionId, stages] of Object.entries(meta.VersionIdsToStages ?? {})) {
    if (stages.includes(STAGE.pending) && !stages.includes(STAGE.current)) {
      await api.updateSecretVersionStage({
        SecretId: secretId,
        VersionStage: STAGE.pending,
        RemoveFromVersionId: versionId,
      });
      clearedVersionIds.push(versionId);
    }
  }
  const versionId = await api.rotateSecret({
    SecretId: secretId,
    RotationLambdaARN: meta.RotationLambdaARN,
  });
  return { secretArn: meta.ARN ?? secretId, versionId, clearedVersionIds };
}
