import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretsManagerCallError } from "../aws/secrets-errors";
import { startRotationNow, unfinishedVersionIds } from "../aws/start-rotation";
import { STAGE, type TokenSecretValue } from "../contract";
import { tokenSecretValueFor } from "../togai/token-secret";
import { RotationError } from "./errors";
import type { JsonLogger } from "./logger";
import type { RotationConfig } from "./rotation-config";
import {
  apiKeyFrom,
  hoursUntil,
  implausibleClaimsProblem,
  pendingValueProblem,
} from "./token-checks";
import type { TokenSecretStore } from "./token-secret-store";

/** What createSecret needs from the rotator that runs it. */
export interface CreateSecretContext {
  readonly config: RotationConfig;
  readonly store: TokenSecretStore;
  readonly secrets: SecretsManagerClient;
  readonly log: JsonLogger;
  /** Calls Togai /authenticate with the key, within the step's deadline. */
  readonly mint: (key: string) => Promise<string>;
  /** Asks Togai whether it accepts a token: true, false when it refuses it (401/403). */
  readonly accepts: (token: string) => Promise<boolean>;
  /** Publishes the token's hours left (a successful rotation). */
  readonly published: (value: TokenSecretValue) => void;
}

/**
 * The createSecret step for a version that holds AWSPENDING (rules 1 to 5 were checked by the
 * dispatcher): keep a usable pending value (rule 7), give up an aged one and start a fresh
 * rotation at once, or mint and store a new value (rules 6 and 8).
 */
export async function createSecret(token: string, cx: CreateSecretContext): Promise<void> {
  const { config, store, log } = cx;
  const existing = await store.readVersion(token, STAGE.pending);
  if (existing !== undefined) {
    const problem =
      pendingValueProblem(existing, config.tokenSecretArn, config.minTokenLifeHours) ??
      (await refusedByTogai(existing, cx));
    // Rule 7: a usable pending value is kept, so re-running the step changes nothing.
    if (!problem) {
      log.info("pending version already holds a usable token: nothing to create");
      return;
    }
    return healAgedVersion(token, problem, cx);
  }
  // Rule 6: what the new value needs, a key that can be sent as a bearer credential.
  const key = apiKeyFrom(await store.readCurrent(config.apiKeySecretArn), config.apiKeySecretArn);
  // Rule 8: mint.
  const minted = await cx.mint(key);
  let value: TokenSecretValue;
  try {
    value = tokenSecretValueFor(minted, config.apiBaseUrl);
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
 * Rule 7, for a value that is still young: a pending token Togai refuses would fail testSecret at
 * every re-attempt without ever aging out, so it is asked once (a JWT bearer on /authenticate is
 * a cheap, side-effect-free check). A transient failure propagates: the step fails and is retried.
 */
async function refusedByTogai(raw: string, cx: CreateSecretContext): Promise<string | undefined> {
  const { token } = JSON.parse(raw) as TokenSecretValue;
  return (await cx.accepts(token)) ? undefined : "Togai refuses its token";
}

/**
 * Stores the minted value as AWSPENDING of `token`, unless a newer rotation superseded this one
 * while the token was being minted. PutSecretValue with VersionStages AWSPENDING MOVES the label:
 * put blindly, it would take AWSPENDING back from the newer rotation (which then fails by rule 4)
 * and finish this older one instead, e.g. with the key from before a key change.
 * - Checked before the put (rule 4 again): covers the whole mint, which may take seconds.
 * - Superseded between that check and the put (one round trip): where Secrets Manager refuses
 *   data for a version that lost its label (ResourceExistsException), nothing was stored; where
 *   the put moves the label, the describe after it finds the newer version (listed while it has
 *   no label) and gives AWSPENDING back to it. Either way this rotation fails as superseded.
 *   Secrets Manager offers no conditional put, so this is the closest the function can come.
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
  let stages: string[];
  try {
    stages = await cx.store.put(token, value, STAGE.pending);
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
  const after = (await cx.store.describe()).versions;
  const newer = Object.keys(after).find(
    (id) => id !== token && !(id in before) && !after[id].includes(STAGE.current),
  );
  if (newer) {
    if (after[token]?.includes(STAGE.pending)) {
      await cx.store.moveStage(STAGE.pending, newer, token);
    }
    throw supersededError(token, newer, cx, "AWSPENDING is the newer rotation's");
  }
  return stages;
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

/**
 * Rule 7, for an aging token: this version's value can never pass testSecret again and cannot be
 * replaced (AWS refuses new data for the same ClientRequestToken). A fresh rotation starts at
 * once: startRotationNow takes AWSPENDING off this version (rule 13 for it) and calls
 * RotateSecret, so a fresh token is minted in this scheduled window rather than one interval
 * later. This invocation still fails: this version's rotation did not succeed, and its
 * re-attempts fail by rule 4 without touching AWSCURRENT. When the start fails before AWSPENDING
 * came off, Secrets Manager's next re-attempt of this version tries again; after, the next
 * scheduled rotation starts clean. Either way nothing is left stuck.
 */
async function healAgedVersion(
  token: string,
  problem: string,
  cx: CreateSecretContext,
): Promise<never> {
  const given = `The pending value of version ${token} is no longer usable (${problem})`;
  let fresh: string | undefined;
  try {
    fresh = (await startRotationNow(cx.secrets, cx.config.tokenSecretArn)).versionId;
  } catch (error) {
    cx.log.warn("could not start a fresh rotation at once", {
      error: (error as Error).name,
      reason: (error as Error).message,
    });
    throw new RotationError(
      `${given}; starting a fresh rotation at once failed (${(error as Error).message}): Secrets Manager's next re-attempt or scheduled rotation tries again; AWSCURRENT keeps the previous token`,
    );
  }
  cx.log.info("aged pending version given up; fresh rotation started", { freshVersionId: fresh });
  throw new RotationError(
    `${given}: AWSPENDING was removed from it and a fresh rotation was started as version ${fresh}, which mints a new token now; AWSCURRENT keeps the previous token until it finishes`,
  );
}
