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
 *   the function knows its own. What may start one depends on the cause (`Replacement`): a
 *   refused or aged token, once per window (one of the function's own never starts another in
 *   the window Secrets Manager created it in); a refused key, never (it would be sent again); a
 *   replaced key, always (key changes are operator actions). So under any persistent fault the
 *   function starts at most one rotation per scheduled window, and a window sends Togai at most
 *   two rejected credentials.
 * - AWSCURRENT is never touched.
 */
import { createHash } from "node:crypto";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { startRotationAs } from "../aws/start-rotation";
import { STAGE } from "../contract";
import { RotationError } from "./errors";
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
function isHealVersion(versionId: string): boolean {
  return versionId.startsWith(HEAL_PREFIX);
}

/**
 * A window and its re-attempts last at most two hours, and windows open at least four hours
 * apart: a version Secrets Manager created longer ago than this belongs to an earlier window.
 */
const EARLIER_WINDOW_HOURS = 2;

/** When giving a version up may start a fresh rotation to replace it. */
export type Replacement =
  /** The version cannot succeed (token refused or aged): one fresh rotation per window. */
  | "once-per-window"
  /** Togai refused the key: a fresh rotation would send it again; a key change starts one. */
  | "never"
  /** The key was replaced meanwhile: the new key must reach AWSCURRENT (operator-driven). */
  | "always";

/**
 * Whether giving up `versionId` may start a fresh rotation. Under "once-per-window": always for a
 * rotation someone else started; for one of the function's own, only when Secrets Manager created
 * it in an earlier window (its clock, as the function reads the same time on AWS), so that no
 * window starts two.
 */
export function mayStartReplacement(
  versionId: string,
  replacement: Replacement,
  createdAt?: Date,
): boolean {
  if (replacement !== "once-per-window") return replacement === "always";
  if (!isHealVersion(versionId)) return true;
  return (
    createdAt !== undefined && Date.now() - createdAt.getTime() > EARLIER_WINDOW_HOURS * 3_600_000
  );
}

/** The value a valueless given-up version keeps: never a token, never contract JSON. */
function givenUpRecord(reason: string, at = new Date()): string {
  return JSON.stringify({ rotationGivenUp: reason, at: at.toISOString() });
}

/** True for a value written by {@link givenUpRecord}. */
export function isGivenUpRecord(raw: string): boolean {
  try {
    return typeof (JSON.parse(raw) as { rotationGivenUp?: unknown }).rotationGivenUp === "string";
  } catch {
    return false;
  }
}

/** What a version holds, as far as giving it up goes. */
export interface HeldValue {
  readonly held: boolean;
  /** When Secrets Manager created the version, when known. */
  readonly createdAt?: Date;
}

/** A version that holds no value yet. */
export const NO_VALUE: HeldValue = { held: false };

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

/** True when a version other than `versionId` holds AWSCURRENT. */
export function hasCurrentOtherThan(versionId: string, cx: GiveUpContext): boolean {
  return Object.entries(cx.versions).some(
    ([id, stages]) => id !== versionId && stages.includes(STAGE.current),
  );
}

/** What AWSCURRENT does meanwhile, said truthfully. */
function currentMeanwhile(versionId: string, cx: GiveUpContext): string {
  return hasCurrentOtherThan(versionId, cx)
    ? "AWSCURRENT keeps the previous token"
    : "no token is current yet (consumers get TokenNotMintedError until one is)";
}

/**
 * Gives up `versionId` (which holds AWSPENDING) and, as `replacement` allows, starts the one
 * fresh rotation that replaces it. Always throws: this version's rotation did not succeed. The
 * message says only what will really happen next.
 */
export async function giveUpVersion(
  versionId: string,
  reason: string,
  value: HeldValue,
  replacement: Replacement,
  cx: GiveUpContext,
): Promise<never> {
  // A record keeps the version readable, for its re-attempts; never where it would become the
  // secret's first value, which Secrets Manager makes AWSCURRENT by itself.
  const keepsRecord = value.held || hasCurrentOtherThan(versionId, cx);
  if (!value.held && keepsRecord) {
    await cx.store.put(versionId, givenUpRecord(reason), STAGE.pending);
  }
  await cx.store.removeStage(STAGE.pending, versionId);
  cx.log.warn("pending version given up", { reason });
  return startReplacement(
    versionId,
    `Version ${versionId} of ${cx.config.tokenSecretArn} was given up (${reason}): AWSPENDING was removed from it`,
    { retriable: keepsRecord, createdAt: value.createdAt, replacement },
    cx,
  );
}

/**
 * Starts the fresh rotation that replaces the given-up `versionId`, when `how.replacement`
 * allows; always throws with what happens next. `retriable`: the given-up version stays
 * readable, so a re-attempt of it can start the replacement when this start fails.
 */
export async function startReplacement(
  versionId: string,
  given: string,
  how: {
    readonly retriable: boolean;
    readonly createdAt?: Date;
    readonly replacement: Replacement;
  },
  cx: GiveUpContext,
): Promise<never> {
  const meanwhile = currentMeanwhile(versionId, cx);
  if (how.replacement === "never") {
    throw new RotationError(
      `${given}. No fresh rotation is started, as it would send Togai the refused key again: putting a valid key starts one at once (put-api-key with --token-secret-id, or rotateOnKeyChange), otherwise the next scheduled rotation tries again; ${meanwhile}`,
    );
  }
  if (!mayStartReplacement(versionId, how.replacement, how.createdAt)) {
    throw new RotationError(
      `${given}. It was already the function's own fresh rotation in this window, so no further one is started: the next scheduled rotation tries again; ${meanwhile}`,
    );
  }
  const fresh = healVersionIdFor(versionId);
  let started: "started" | "busy" | "exists";
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
    const next = how.retriable
      ? "Secrets Manager's next re-attempt of this version starts it, or else the next scheduled rotation tries again"
      : "the next scheduled rotation tries again";
    throw new RotationError(
      `${given}; starting a fresh rotation failed (${(error as Error).message}): ${next}; ${meanwhile}`,
      { cause: error },
    );
  }
  if (started === "busy") {
    throw new RotationError(
      `${given}; another rotation is in progress and replaces it; ${meanwhile} until that one finishes`,
    );
  }
  if (started === "exists") {
    throw new RotationError(
      `${given}; its fresh rotation ${fresh} was started before; ${meanwhile}`,
    );
  }
  cx.log.info("fresh rotation started", { freshVersionId: fresh });
  throw new RotationError(
    `${given}; a fresh rotation was started as version ${fresh}, which mints a new token now; ${meanwhile} until it finishes`,
  );
}
