import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { STAGE } from "../contract";

/** Which version of a secret to read. */
export interface SecretVersionSelector {
  readonly secretId: string;
  /**
   * @default "AWSCURRENT" when no `versionId` is given (always explicit: an unqualified read may be
   * served from a cache); none with a `versionId`, so a version without labels can be read
   */
  readonly versionStage?: string;
  readonly versionId?: string;
}

/** A secret's string value and the version it came from. */
export interface SecretStringVersion {
  readonly value: string;
  readonly versionId: string;
  /** When Secrets Manager created the version (its own clock, so versions compare safely). */
  readonly createdDate?: Date;
}

/**
 * Reads a secret's string value, or `undefined` when that version has no value (a secret never
 * written, or a pending version not yet created). Any other failure propagates.
 */
export async function readSecretString(
  client: SecretsManagerClient,
  selector: SecretVersionSelector,
  abortSignal?: AbortSignal,
): Promise<SecretStringVersion | undefined> {
  try {
    const out = await client.send(
      new GetSecretValueCommand({
        SecretId: selector.secretId,
        VersionId: selector.versionId,
        VersionStage: selector.versionId
          ? selector.versionStage
          : (selector.versionStage ?? STAGE.current),
      }),
      { abortSignal },
    );
    if (out.SecretString === undefined || out.VersionId === undefined) return undefined;
    return { value: out.SecretString, versionId: out.VersionId, createdDate: out.CreatedDate };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
