import { unfinishedVersionIds } from "../aws/start-rotation";
import { STAGE } from "../contract";
import { RotationError } from "./errors";
import {
  type GiveUpContext,
  healVersionIdFor,
  isGivenUpRecord,
  mayStartReplacement,
  type Replacement,
  startReplacement,
} from "./give-up";

/**
 * Rules 3 and 4 for a version that does not hold AWSPENDING (nor AWSCURRENT): Secrets Manager
 * re-attempts a failed rotation with the same version id, also after the function gave it up or
 * another rotation superseded it. Always throws; never calls Togai, never touches AWSCURRENT.
 *
 * The one thing it may do: when this version was given up and the fresh rotation that should
 * replace it never started (RotateSecret failed, or the function died in between), start it now,
 * so that a failed start heals again at the next re-attempt. Nothing else can have replaced the
 * version: no other rotation is in progress, its replacement does not exist, and AWSCURRENT is
 * older than it. Only versions that can still be read qualify (DescribeSecret stops listing a
 * version that lost its last label, as AWS documents; reading it by id still works).
 */
export async function reattemptOfUnstagedVersion(
  versionId: string,
  cx: GiveUpContext,
): Promise<never> {
  const arn = cx.config.tokenSecretArn;
  const unchanged = "AWSCURRENT is unchanged";
  const [running] = unfinishedVersionIds(cx.versions).filter((id) => id !== versionId);
  if (running) {
    throw new RotationError(
      `Version ${versionId} of secret ${arn} is not staged AWSPENDING: superseded by the rotation of version ${running}; ${unchanged}`,
    );
  }
  const own = await cx.store.readVersionMeta(versionId);
  if (!own) {
    // Rule 3: no such version, or one that never held a value and lost its label (given up or
    // superseded before it minted; AWS then lists it nowhere). Nothing is left to do for it.
    throw new RotationError(
      `Version ${versionId} of secret ${arn} holds no value and no staging label: it was given up or superseded before it minted a token (or it is not a version of this secret); nothing is left to do for it, ${unchanged}`,
    );
  }
  const notPending = `Version ${versionId} of secret ${arn} is not staged AWSPENDING`;
  const fresh = healVersionIdFor(versionId);
  // A given-up record is written only when Togai refused the key: no replacement for that.
  const replacement: Replacement = isGivenUpRecord(own.value) ? "never" : "once-per-window";
  if (!mayStartReplacement(versionId, replacement, own.createdDate)) {
    throw new RotationError(`${notPending}: it was given up; ${unchanged}`);
  }
  if (fresh in cx.versions || (await cx.store.readVersionMeta(fresh))) {
    throw new RotationError(
      `${notPending}: it was given up and replaced by version ${fresh}; ${unchanged}`,
    );
  }
  const current = await cx.store.readVersionMeta(undefined, STAGE.current);
  if (
    current &&
    (current.versionId === versionId ||
      (current.createdDate && own.createdDate && current.createdDate > own.createdDate))
  ) {
    throw new RotationError(
      `${notPending}: a later rotation finished (AWSCURRENT is version ${current.versionId}); ${unchanged}`,
    );
  }
  cx.log.warn("re-attempt of a given-up version whose fresh rotation never started");
  return startReplacement(
    versionId,
    `${notPending}: it was given up earlier and its fresh rotation had not started`,
    { retriable: true, createdAt: own.createdDate, replacement },
    cx,
  );
}
