import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { readSecretString } from "../aws/secrets";
import { callSecretsManager } from "../aws/secrets-errors";

/** What DescribeSecret tells a rotation step. */
export interface SecretState {
  readonly rotationEnabled: boolean;
  readonly versions: Record<string, string[]>;
}

/**
 * The Secrets Manager calls of the rotation function, through the AWS SDK (its retries of
 * throttling, 5xx and network errors, clock-skew correction, FIPS/dual-stack endpoints and
 * credential refresh). Every failure becomes a short SecretsManagerCallError.
 */
export class TokenSecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
  ) {}

  async describe(): Promise<SecretState> {
    const meta = await callSecretsManager("DescribeSecret", () =>
      this.client.send(new DescribeSecretCommand({ SecretId: this.secretArn })),
    );
    return {
      rotationEnabled: Boolean(meta.RotationEnabled),
      versions: meta.VersionIdsToStages ?? {},
    };
  }

  /** A version's value, or `undefined` when it holds none yet. */
  async readVersion(versionId: string, stage: string): Promise<string | undefined> {
    const found = await callSecretsManager("GetSecretValue", () =>
      readSecretString(this.client, { secretId: this.secretArn, versionId, versionStage: stage }),
    );
    return found?.value;
  }

  /** Reads another secret's AWSCURRENT value (the API-key secret). */
  async readCurrent(secretArn: string): Promise<string | undefined> {
    const found = await callSecretsManager("GetSecretValue", () =>
      readSecretString(this.client, { secretId: secretArn }),
    );
    return found?.value;
  }

  /** Stores a version's value; resolves to the stages it holds afterwards. */
  async put(versionId: string, value: string, stage: string): Promise<string[]> {
    const out = await callSecretsManager("PutSecretValue", () =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: this.secretArn,
          ClientRequestToken: versionId,
          SecretString: value,
          VersionStages: [stage],
        }),
      ),
    );
    return out.VersionStages ?? [stage];
  }

  /** Moves `stage` to `toVersionId` (from `fromVersionId`, which must be named when it holds it). */
  async moveStage(stage: string, toVersionId: string, fromVersionId?: string): Promise<void> {
    await callSecretsManager("UpdateSecretVersionStage", () =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: this.secretArn,
          VersionStage: stage,
          MoveToVersionId: toVersionId,
          RemoveFromVersionId: fromVersionId,
        }),
      ),
    );
  }

  /** Takes `stage` off a version. */
  async removeStage(stage: string, versionId: string): Promise<void> {
    await callSecretsManager("UpdateSecretVersionStage", () =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: this.secretArn,
          VersionStage: stage,
          RemoveFromVersionId: versionId,
        }),
      ),
    );
  }
}
