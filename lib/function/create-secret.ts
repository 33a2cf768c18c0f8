import { SecretsManagerCallError } from "../aws/secrets-errors";
import { unfinishedVersionIds } from "../aws/start-rotation";
import { STAGE, type TokenSecretValue } from "../contract";
import { tokenSecretValueFor } from "../togai/token-secret";
import { RotationError } from "./errors";
import {
  type GiveUpContext,
  giveUpVersion,
  hasCurrentOtherThan,
  isGivenUpRecord,
  NO_VALUE,
} from "./give-up";
import { KeyRejectedError } from "./togai-call";
import {
  apiKeyFrom,
  hoursUntil,
  implausibleClaimsProblem,
  pendingValueProblem,
} from "./token-checks";

/** What createSecret needs from the rotator that runs it. */
export interface CreateSecretContext extends GiveUpContext {
  /** Calls Togai /authenticate with the key, within the step's deadline. */
  readonly mint: (key: string) => Promise<string>;
  /** Asks Togai whether it accepts a token: false when it refuses it (401/403). */
  readonly accepts: (token: string) => Promise<boolean>;
  /** Publishes the token's hours left (a successful rotation). */
  readonly published: (value: TokenSecretValue) => void;
}

/**
 * The createSecret step for a version that holds AWSPENDING (rules 1 to 5 were checked by the
 * dispatcher): keep a usable pending value (rule 7), give up one that can no longer pass
 * testSecret, or mint and store a new value (rules 6 and 8).
 */
export async function createSecret(token: string, cx: CreateSecretContext): Promise<void> {
  const { config, store, log } = cx;
  const existing = await store.readVersionMeta(token, STAGE.pending);
  if (existing !== undefined) {
    const held = { held: true, createdAt: existing.createdDate };
    if (isGivenUpRecord(existing.value)) {
      // The function gave this version up (the key was refused) and died before the label came off.
      return giveUpVersion(token, "Togai refused the secret key", held, "never", cx);
    }
    // Rule 7, decided from the value alone (no call to Togai: testSecret asks Togai, and gives
    // the version up at once when Togai refuses it, so a refused token never comes back here).
    const problem = pendingValueProblem(
      existing.value,
      config.tokenSecretArn,
      config.minTokenLifeHours,
    );
    if (!problem) {
      log.info("pending version already holds a usable token: nothing to create");
      return;
    }
    const reason = `its pending value is no longer usable: ${problem}`;
    return giveUpVersion(token, reason, held, "once-per-window", cx);
  }
  // Rule 6: what the new value needs, a key that can be sent as a bearer credential.
  const key = await store.readCurrentVersion(config.apiKeySecretArn);
  const bearer = apiKeyFrom(key?.value, config.apiKeySecretArn);
  // Rule 8: mint. A refused key can mint nothing in this version: give it up at once, so its
  // re-attempts send Togai no further rejected credential.
  let minted: string;
  try {
    minted = await cx.mint(bearer);
  } catch (error) {
    if (!(error instanceof KeyRejectedError)) throw error;
    return giveUpVersion(token, error.message, NO_VALUE, "never", cx);
  }
  let value: TokenSecretValue;
  try {
    value = tokenSecretValueFor(minted, config.apiBaseUrl, key?.versionId);
  } catch (error) {
    throw new RotationError(
      `Togai /authenticate returned something that is not a Togai token (${(error as Error).message}); AWSCURRENT keeps the previous token`,
    );
  }
  // Rule 8 with rule 10's bar: a token too short-lived to pass testSecret is never stored, so
  // it cannot pin this version to a value that fails forever.
  const hoursLeft = hoursUntil(value.expiresAt);
  if (hoursLeft <= 0) {
    throw new RotationError(
      `Togai /authenticate returned a token that expired at ${value.expiresAt}; AWSCURRENT keeps the previous token`,
    );
  }
  if (hoursLeft < config.minTokenLifeHours) {
    throw new RotationError(
      `Togai /authenticate returned a token with ${hoursLeft.toFixed(2)} h of life left, below the minimum of ${config.minTokenLifeHours} h; nothing was stored, AWSCURRENT keeps the previous token`,
    );
  }
  const implausible = implausibleClaimsProblem(new Date(value.issuedAt), new Date(value.expiresAt));
  if (implausible) {
    throw new RotationError(
      `Togai /authenticate returned a token that cannot be Togai's (${implausible.replace("its token ", "it ")}); nothing was stored, AWSCURRENT keeps the previous token`,
    );
  }
  // The secret's first value becomes AWSCURRENT by itself, before testSecret could check it:
  // Togai is asked first, so that a token it refuses is never the first current one.
  if (!hasCurrentOtherThan(token, cx) && !(await cx.accepts(minted))) {
    return giveUpVersion(
      token,
      "Togai refused the token it had just minted, and a secret's first value becomes AWSCURRENT without testSecret",
      NO_VALUE,
      "once-per-window",
      cx,
    );
  }
  const stages = await putUnlessSuperseded(token, JSON.stringify(value), cx);
  log.info("token minted and stored as AWSPENDING", {
    expiresAt: value.expiresAt,
    issuedAt: value.issuedAt,
  });
  if (stages.includes(STAGE.current)) {
    // The secret's first value: Secrets Manager made it AWSCURRENT by itself (PutSecretValue
    // API reference). The later steps return at rule 4; rule 13's end state is reached here.
    await store.removeStage(STAGE.pending, token);
    log.info("first token of this secret: Secrets Manager made it AWSCURRENT; AWSPENDING removed");
    cx.published(value);
  }
}

/**
 * Stores the minted value as AWSPENDING of `token`, unless a newer rotation superseded this one
 * while the token was being minted. PutSecretValue with VersionStages AWSPENDING MOVES the label:
 * put blindly, it would take AWSPENDING back from the newer rotation (which then fails by rule 4)
 * and finish this older one instead.
 * - Checked before the put (rule 4 again): covers the whole mint, which may take seconds.
 * - Superseded between that check and the put (one round trip): where Secrets Manager refuses
 *   data for a version that lost its label (ResourceExistsException), nothing was stored. Where
 *   the put moves the label, the newer version, still valueless, is no longer listed anywhere
 *   (DescribeSecret lists only labelled versions, ListSecretVersionIds only versions with a
 *   value), so no check after the put can see it. What would make that harmful, a token from a
 *   key that was replaced meanwhile (the reason for most newer rotations), is refused by
 *   finishSecret, which compares the key's version; any other newer rotation would have minted
 *   the same kind of token this one did.
 */
async function putUnlessSuperseded(
  token: string,
  value: string,
  cx: CreateSecretContext,
): Promise<string[]> {
  const before = (await cx.store.describe()).versions;
  if (!before[token]?.includes(STAGE.pending)) {
    throw supersededError(token, unfinishedVersionIds(before)[0], cx, "nothing was stored");
  }
  try {
    return await cx.store.put(token, value, STAGE.pending);
  } catch (error) {
    // Secrets Manager may refuse data for a version that lost its label meanwhile.
    const now = (await cx.store.describe()).versions;
    if (
      !(error instanceof SecretsManagerCallError) ||
      error.code !== "ResourceExistsException" ||
      now[token]?.includes(STAGE.pending)
    ) {
      throw error;
    }
    throw supersededError(token, unfinishedVersionIds(now)[0], cx, "nothing was stored");
  }
}

function supersededError(
  token: string,
  newer: string | undefined,
  cx: CreateSecretContext,
  outcome: string,
): RotationError {
  cx.log.warn("rotation superseded while minting", { newerVersionId: newer ?? "none" });
  return new RotationError(
    `Version ${token} of secret ${cx.config.tokenSecretArn} is not staged AWSPENDING${newer ? `: superseded by the rotation of version ${newer}` : ""}; ${outcome}, AWSCURRENT is unchanged`,
  );
}
