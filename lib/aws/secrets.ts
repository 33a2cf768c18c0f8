import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { STAGE } from "../contract";

/** Which version of a secret to read. */
export interface SecretVersionSelector {
  readonly secretId: string;
  /** @default "AWSCURRENT" (always explicit: an unqualified read may be served from a cache) */
  readonly versionStage?: string;
  readonly versionId?: string;
}

/** A secret's string value and the version it came from. */
export interface SecretStringVersion {
  readonly value: string;
  readonly versionId: string;
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
        VersionStage: selector.versionStage ?? STAGE.current,
      }),
      { abortSignal },
    );
    if (out.SecretString === undefined || out.VersionId === undefined) return undefined;
    return { value: out.SecretString, versionId: out.VersionId };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
