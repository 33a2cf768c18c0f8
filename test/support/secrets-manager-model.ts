/**
 * How Secrets Manager drives a rotation function, as docs/rotation-faults.md sets it out from
 * AWS's documentation: the one model that the rotation tests and both simulations use.
 *
 * - A schedule `rate(N hours)` opens a window every N hours; without `Duration` the window
 *   closes after one hour (RotationRulesType.Duration).
 * - At a window's start, a version that still holds AWSPENDING (not AWSCURRENT) is re-attempted
 *   with its own ClientRequestToken ("A previous rotation isn't complete. That rotation will be
 *   reattempted."); otherwise a new version is staged AWSPENDING and rotated.
 * - A rotation that fails is retried "multiple times" (DescribeSecret, NextRotationDate). AWS
 *   publishes no schedule: the model assumes the worst the project plans for, a re-attempt
 *   every 5 minutes for as long as a window lasts, counted from the rotation's start.
 * - A rotation someone starts with RotateSecret (the function itself, an operator) is run at
 *   once and retried the same way.
 * - Every attempt runs createSecret, setSecret, testSecret and finishSecret in order and stops
 *   at the first step that fails. Secrets Manager does not know that the function gave a
 *   version up: it keeps re-attempting it until the version's time is over.
 * No cap on rotations is modelled: AWS has none.
 */
import {
  DescribeSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { ROTATION_STEPS } from "./rotation-driver";

export const SECRETS_MANAGER_MODEL = {
  /** How long a window lasts, and how long a started rotation is retried. */
  windowMinutes: 60,
  /** The shortest spacing of re-attempts the project plans for. */
  reattemptMinutes: 5,
} as const;

const MINUTE = 60_000;

/** The clock a simulation runs on (a FakeTimers clock faking Date). */
export interface SimulatedClock {
  readonly now: number;
  setSystemTime(now: number): void;
}

/**
 * `clock`, telling `follow` after every move, so that Secrets Manager's clock (moto's
 * `followClock`) reads the same simulated time as the function, as it does on AWS.
 */
export function clockFollowedBy(
  clock: SimulatedClock,
  follow: (() => void) | undefined,
): SimulatedClock {
  return {
    get now() {
      return clock.now;
    },
    setSystemTime(now: number) {
      clock.setSystemTime(now);
      follow?.();
    },
  };
}

/** What one step invocation did. */
export interface StepOutcome {
  readonly error?: Error;
  /** Whether an injected fault met this invocation (random-fault simulation). */
  readonly faulted?: boolean;
}

export interface WindowOptions {
  readonly secrets: SecretsManagerClient;
  readonly tokenArn: string;
  readonly functionArn: string;
  readonly clock: SimulatedClock;
  /** Invokes the function for one step of one version. */
  readonly invoke: (step: string, versionId: string) => Promise<StepOutcome>;
  /** Called after each attempt of a rotation (whole or failed). */
  readonly afterAttempt?: (attempt: AttemptRecord) => Promise<void> | void;
  /** Retries per rotation, when fewer than the model's (a kinder schedule). @default the model's */
  readonly maxReattempts?: number;
}

export interface AttemptRecord {
  readonly versionId: string;
  /** 0 for the first attempt of a rotation. */
  readonly reattempt: number;
  readonly ok: boolean;
  readonly faulted: boolean;
  readonly failedStep?: string;
  readonly error?: Error;
}

export interface WindowResult {
  /** The version Secrets Manager's schedule rotated (re-attempted or new). */
  readonly scheduledVersionId: string;
  /** Rotations that started while the window ran (by the function, or anyone else). */
  readonly startedDuringWindow: string[];
  /** The version that ended as AWSCURRENT in this window, if any. */
  readonly succeededVersionId?: string;
  readonly attempts: AttemptRecord[];
  readonly invocations: number;
}

/** Versions that hold AWSPENDING but not AWSCURRENT (an unfinished rotation). */
export async function unfinishedVersions(
  secrets: SecretsManagerClient,
  secretId: string,
): Promise<string[]> {
  const meta = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  return Object.entries(meta.VersionIdsToStages ?? {})
    .filter(([, stages]) => stages.includes("AWSPENDING") && !stages.includes("AWSCURRENT"))
    .map(([id]) => id);
}

/**
 * Plays one scheduled window from the clock's current time, as the model says. The clock ends at
 * the window's last re-attempt (never earlier than it was).
 */
export async function runScheduledWindow(options: WindowOptions): Promise<WindowResult> {
  const { secrets, tokenArn, clock } = options;
  const opened = clock.now;
  const [unfinished] = await unfinishedVersions(secrets, tokenArn);
  const scheduled =
    unfinished ??
    ((
      await secrets.send(
        new RotateSecretCommand({ SecretId: tokenArn, RotationLambdaARN: options.functionArn }),
      )
    ).VersionId as string);
  const rotations = [{ versionId: scheduled, startedAt: opened, attempts: 0, done: false }];
  const result = {
    scheduledVersionId: scheduled,
    startedDuringWindow: [] as string[],
    succeededVersionId: undefined as string | undefined,
    attempts: [] as AttemptRecord[],
    invocations: 0,
  };
  const maxReattempts =
    options.maxReattempts ??
    SECRETS_MANAGER_MODEL.windowMinutes / SECRETS_MANAGER_MODEL.reattemptMinutes;
  for (let tick = 0; ; tick++) {
    const at = opened + tick * SECRETS_MANAGER_MODEL.reattemptMinutes * MINUTE;
    if (at > clock.now) clock.setSystemTime(at);
    let ran = false;
    // Rotations started during this tick are run at once: the list grows while it is walked.
    for (let i = 0; i < rotations.length; i++) {
      const rotation = rotations[i];
      const due =
        !rotation.done &&
        rotation.attempts <= maxReattempts &&
        at - rotation.startedAt <= SECRETS_MANAGER_MODEL.windowMinutes * MINUTE;
      if (!due) continue;
      ran = true;
      const record = await attempt(rotation.versionId, rotation.attempts++, options, result);
      result.attempts.push(record);
      if (record.ok) {
        rotation.done = true;
        result.succeededVersionId = rotation.versionId;
      }
      await options.afterAttempt?.(record);
      for (const id of await unfinishedVersions(secrets, tokenArn)) {
        if (rotations.some((r) => r.versionId === id)) continue;
        rotations.push({ versionId: id, startedAt: at, attempts: 0, done: false });
        result.startedDuringWindow.push(id);
      }
    }
    if (!ran) return result;
  }
}

/** One attempt of a whole rotation: the four steps until one fails. */
async function attempt(
  versionId: string,
  reattempt: number,
  options: WindowOptions,
  result: { invocations: number },
): Promise<AttemptRecord> {
  let faulted = false;
  for (const step of ROTATION_STEPS) {
    const outcome = await options.invoke(step, versionId);
    result.invocations++;
    faulted ||= outcome.faulted ?? false;
    if (outcome.error) {
      return { versionId, reattempt, ok: false, faulted, failedStep: step, error: outcome.error };
    }
  }
  return { versionId, reattempt, ok: true, faulted };
}
