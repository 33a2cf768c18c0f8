/**
 * Giving up a version whose rotation can never succeed, and the one fresh rotation that may
 * replace it. Rules kept (docs/rotation-faults.md explains the model and the bounds):
 *
 * - A version is given up at the first proof that it cannot succeed (Togai refused its token or
 *   the key, its token aged below the minimum, its key was replaced). AWSPENDING comes off it at
 *   once, so Secrets Manager's re-attempts of it fail in the dispatcher without calling Togai:
 *   each version sends Togai at most one rejected credential.
 * - A version given up while it holds no value gets a small record as its value first (when the
 *   secret has an AWSCURRENT elsewhere, so the record can never become current), so that it
 *   stays readable by id and its re-attempts can tell what happened.
 * - The fresh rotation gets a version id derived from the given-up one ("togai-heal-<id>"), so
 *   the function knows its own: one it started never starts another in the same window (only
 *   when Secrets Manager re-attempts it in a later window, its token minted hours before). So
 *   under any persistent fault the function starts at most one rotation per scheduled window,
 *   and a window sends Togai at most two rejected credentials.
 * - AWSCURRENT is never touched.
 */
import { createHash } from "node:crypto";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { startRotationAs } from "../aws/start-rotation";
import { STAGE } from "../contract";
import { RotationError } from "../togai/errors";
import type { JsonLogger } from "./logger";
import type { RotationConfig } from "./rotation-config";
import type { TokenSecretStore } from "./token-secret-store";

const HEAL_PREFIX = "togai-heal-";

/** The id of the fresh rotation that replaces `versionId` (RotateSecret takes 32 to 64 characters). */
export function healVersionIdFor(versionId: string): string {
  const id = `${HEAL_PREFIX}${versionId}`;
  if (id.length <= 64) return id;
  return `${HEAL_PREFIX}${createHash("sha256").update(versionId).digest("hex").slice(0, 48)}`;
}

/** True for a version the function started itself to replace a given-up one. */
export function isHealVersion(versionId: string): boolean {
  return versionId.startsWith(HEAL_PREFIX);
}

/**
 * A window and its re-attempts last at most two hours, and windows open at least four hours
 * apart: a token minted longer ago than this belongs to an earlier window.
 */
const EARLIER_WINDOW_HOURS = 2;

/**
 * Whether giving up `versionId` may start a fresh rotation: always for a rotation someone else
 * started; for one of the function's own, only when its token was minted in an earlier window
 * (`issuedAt`, from the token's claims), so that no window starts two.
 */
export function mayStartReplacement(versionId: string, issuedAt?: string): boolean {
  if (!isHealVersion(versionId)) return true;
  const minted = issuedAt ? Date.parse(issuedAt) : Number.NaN;
  return Number.isFinite(minted) && Date.now() - minted > EARLIER_WINDOW_HOURS * 3_600_000;
}

/** The value a valueless given-up version keeps: never a token, never contract JSON. */
export function givenUpRecord(reason: string, at = new Date()): string {
  return JSON.stringify({ rotationGivenUp: reason, at: at.toISOString() });
}

/** What a version holds, as far as giving it up goes. */
export interface HeldValue {
  readonly held: boolean;
  /** When its token was minted (the contract's issuedAt), when it holds one. */
  readonly issuedAt?: string;
}

/** A version that holds no value yet. */
export const NO_VALUE: HeldValue = { held: false };

/** A version holding `raw`, with its token's issue date when `raw` is the contract's JSON. */
export function heldValue(raw: string): HeldValue {
  try {
    const { issuedAt } = JSON.parse(raw) as { issuedAt?: unknown };
    return { held: true, issuedAt: typeof issuedAt === "string" ? issuedAt : undefined };
  } catch {
    return { held: true };
  }
}

/** What giving up needs from the rotator. */
export interface GiveUpContext {
  readonly config: RotationConfig;
  readonly store: TokenSecretStore;
  readonly secrets: SecretsManagerClient;
  readonly log: JsonLogger;
  /** DescribeSecret's versions at the start of the invocation. */
  readonly versions: Record<string, string[]>;
  readonly rotationLambdaArn?: string;
}

/**
 * Gives up `versionId` (which holds AWSPENDING) and, unless it is itself a fresh rotation of the
 * function's, starts the one fresh rotation that replaces it. Always throws: this version's
 * rotation did not succeed. The message says only what will really happen next.
 */
export async function giveUpVersion(
  versionId: string,
  reason: string,
  value: HeldValue,
  cx: GiveUpContext,
): Promise<never> {
  const hasValue = value.held;
  const hasCurrentElsewhere = Object.entries(cx.versions).some(
    ([id, stages]) => id !== versionId && stages.includes(STAGE.current),
  );
  const keepsRecord = hasValue || hasCurrentElsewhere;
  if (!hasValue && hasCurrentElsewhere) {
    await cx.store.put(versionId, givenUpRecord(reason), STAGE.pending);
  }
  await cx.store.removeStage(STAGE.pending, versionId);
  cx.log.warn("pending version given up", { reason });
  return startReplacement(
    versionId,
    `Version ${versionId} of ${cx.config.tokenSecretArn} was given up (${reason}): AWSPENDING was removed from it`,
    { retriable: keepsRecord, issuedAt: value.issuedAt },
    cx,
  );
}

/**
 * Starts the fresh rotation that replaces the given-up `versionId`, once; always throws with
 * what happens next. `retriable`: the given-up version stays readable, so a re-attempt of it can
 * start the replacement when this start fails. `issuedAt`: when its token was minted.
 */
export async function startReplacement(
  versionId: string,
  given: string,
  how: { readonly retriable: boolean; readonly issuedAt?: string },
  cx: GiveUpContext,
): Promise<never> {
  const unchanged = "AWSCURRENT keeps the previous token";
  const { retriable } = how;
  if (!mayStartReplacement(versionId, how.issuedAt)) {
    throw new RotationError(
      `${given}. It was already the function's own fresh rotation in this window, so no further one is started: the next scheduled rotation mints a fresh token; ${unchanged}`,
    );
  }
  const fresh = healVersionIdFor(versionId);
  let started: boolean;
  try {
    started = await startRotationAs(
      cx.secrets,
      cx.config.tokenSecretArn,
      cx.rotationLambdaArn,
      fresh,
    );
  } catch (error) {
    cx.log.warn("could not start a fresh rotation", {
      error: (error as Error).name,
      reason: (error as Error).message,
    });
    const next = retriable
      ? "Secrets Manager's next re-attempt of this version starts it, or else the next scheduled rotation mints a fresh token"
      : "the next scheduled rotation mints a fresh token";
    throw new RotationError(
      `${given}; starting a fresh rotation failed (${(error as Error).message}): ${next}; ${unchanged}`,
      { cause: error },
    );
  }
  if (!started) {
    throw new RotationError(
      `${given}; another rotation is in progress and replaces it; ${unchanged} until that one finishes`,
    );
  }
  cx.log.info("fresh rotation started", { freshVersionId: fresh });
  throw new RotationError(
    `${given}; a fresh rotation was started as version ${fresh}, which mints a new token now; ${unchanged} until it finishes`,
  );
}
