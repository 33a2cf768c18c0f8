import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { readSecretString, type SecretStringVersion } from "../aws/secrets";
import { callSecretsManager, secretsManagerErrorFor } from "../aws/secrets-errors";
import { STAGE, type TokenSecretValue } from "../contract";
import { InvalidCredentialError } from "../togai/errors";
import { PUT_API_KEY_HINT } from "../togai/put-api-key-hint";
import { parseTokenSecretValue } from "../togai/token-secret";
import { RotationError } from "./errors";

/** What DescribeSecret tells a rotation step. */
export interface SecretState {
  readonly rotationEnabled: boolean;
  /**
   * Version id to staging labels. As AWS documents, only versions that hold at least one label
   * are listed: a version that lost its last label is gone from here (read it by id instead).
   */
  readonly versions: Record<string, string[]>;
  /** The configured rotation function, which a rotation the function starts itself must name. */
  readonly rotationLambdaArn?: string;
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
      rotationLambdaArn: meta.RotationLambdaARN,
    };
  }

  /**
   * A version's value with its id and creation date, or `undefined` when it holds none. Without
   * `stage`, a version that lost every label (given up, or superseded) is read too.
   */
  readVersionMeta(versionId?: string, stage?: string): Promise<SecretStringVersion | undefined> {
    return callSecretsManager("GetSecretValue", () =>
      readSecretString(this.client, { secretId: this.secretArn, versionId, versionStage: stage }),
    );
  }

  /** A pending version's token value (for setSecret and finishSecret, after createSecret ran). */
  async readPendingToken(
    versionId: string,
  ): Promise<{ value: TokenSecretValue; createdDate?: Date }> {
    const pending = await this.readVersionMeta(versionId, STAGE.pending);
    if (pending === undefined) {
      throw new RotationError(
        `Version ${versionId} has no value yet: createSecret must run before this step`,
      );
    }
    return {
      value: parseTokenSecretValue(pending.value, this.secretArn),
      createdDate: pending.createdDate,
    };
  }

  /**
   * Reads the API-key secret's AWSCURRENT string, or `undefined` while it has no value. A secret
   * that is gone, scheduled for deletion, or holds a binary value is bad input that no retry
   * mends: the error names the secret and what to do, never the value.
   */
  async readCurrent(secretArn: string): Promise<string | undefined> {
    return (await this.readCurrentVersion(secretArn))?.value;
  }

  /** {@link readCurrent}, with the version id the value came from. */
  async readCurrentVersion(
    secretArn: string,
  ): Promise<{ value: string; versionId?: string } | undefined> {
    let out: GetSecretValueCommandOutput;
    try {
      out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretArn, VersionStage: STAGE.current }),
      );
    } catch (error) {
      const { name, message = "" } = error as { name?: string; message?: string };
      // AWS says "can't find the specified secret value" for a secret without a value yet; a
      // plain "can't find the specified secret" may also be a deleted secret (the function may
      // not DescribeSecret the key secret, so the message says both).
      if (name === "ResourceNotFoundException" && /secret value/i.test(message)) return undefined;
      if (name === "ResourceNotFoundException") {
        throw new RotationError(
          `The API-key secret ${secretArn} holds no Togai secret key yet, or no longer exists (if it was deleted, create it again or deploy the rotation with the right ARN): ${PUT_API_KEY_HINT}`,
        );
      }
      if (name === "InvalidRequestException" && /marked (for )?delet/i.test(message)) {
        throw new RotationError(
          `The API-key secret ${secretArn} is scheduled for deletion: restore it with \`aws secretsmanager restore-secret --secret-id ${secretArn}\`; no token can be minted until then`,
        );
      }
      throw secretsManagerErrorFor("GetSecretValue", error);
    }
    if (out.SecretString === undefined && out.SecretBinary !== undefined) {
      throw new InvalidCredentialError(
        `The API-key secret ${secretArn} holds a binary value (SecretBinary), not the key as a string; nothing was sent to Togai. Put the bare key: ${PUT_API_KEY_HINT}`,
      );
    }
    return out.SecretString === undefined
      ? undefined
      : { value: out.SecretString, versionId: out.VersionId };
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
  moveStage(stage: string, toVersionId: string, fromVersionId?: string): Promise<void> {
    return this.updateStage(stage, toVersionId, fromVersionId);
  }

  /** Takes `stage` off a version. */
  removeStage(stage: string, versionId: string): Promise<void> {
    return this.updateStage(stage, undefined, versionId);
  }

  private async updateStage(stage: string, to?: string, from?: string): Promise<void> {
    await callSecretsManager("UpdateSecretVersionStage", () =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: this.secretArn,
          VersionStage: stage,
          MoveToVersionId: to,
          RemoveFromVersionId: from,
        }),
      ),
    );
  }
}
