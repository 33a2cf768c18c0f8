import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { partialSecretArn, secretNameFromArn } from "../aws/secret-arn";
import { startRotationNow } from "../aws/start-rotation";
import type { JsonLogger } from "./logger";
import type { KeyChangeEvent, RotationConfig } from "./rotation-config";

/**
 * The API-key secret got a new value (EventBridge, from CloudTrail): start a rotation now, so
 * the new key takes effect at once. Events for any other secret are ignored.
 */
export async function rotateAfterKeyChange(
  event: KeyChangeEvent,
  config: RotationConfig,
  secrets: SecretsManagerClient,
  logger: JsonLogger,
): Promise<void> {
  const changed = event.detail?.requestParameters?.secretId;
  const key = config.apiKeySecretArn;
  const log = logger.child({ trigger: event.detail?.eventName ?? event["detail-type"] });
  // Callers name a secret by ARN, by name, or by its ARN without the random suffix.
  const names = [key, secretNameFromArn(key), partialSecretArn(key)];
  if (!changed || !names.includes(changed)) {
    log.warn("event is not about the API-key secret: ignored", {
      changedSecret: changed ?? "none",
    });
    return;
  }
  const started = await startRotationNow(secrets, config.tokenSecretArn);
  for (const versionId of started.clearedVersionIds) {
    log.info("cleared AWSPENDING left by an unfinished rotation", {
      clearedVersionId: versionId,
    });
  }
  log.info(
    started.joinedConcurrentRotation
      ? "the API key changed: a rotation started at the same moment will use it"
      : "the API key changed: rotation started",
    { versionId: started.versionId },
  );
}
