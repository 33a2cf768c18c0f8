/**
 * Days of scheduled rotations under one fault that persists, on the Secrets Manager model of
 * secrets-manager-model.ts (re-attempts every 5 minutes for as long as a window lasts, no cap on
 * rotations anyone starts). Secrets Manager is moto (the function's calls through the fault
 * proxy), Togai the stand-in with its published limit on rejected credentials; one simulated
 * clock (fake Date, also advancing with real time) serves the function and the stand-in.
 *
 * It measures what the fault costs (the function's own rotations, Lambda invocations, Togai
 * requests, rejected credentials in any 30 minutes), when AWSCURRENT expired, and whether the
 * first healthy window afterwards mints a fresh token with no operator.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { lambdaContext, type RotationHandler } from "./rotation-driver";
import type { SecretsManagerFaultProxy } from "./rotation-fault-proxy";
import {
  clockFollowedBy,
  runScheduledWindow,
  SECRETS_MANAGER_MODEL,
  unfinishedVersions,
} from "./secrets-manager-model";
import type { TogaiStandIn } from "./togai-standin";

const HOUR = 3_600_000;

/** A fault that holds for the whole run (or, where named, for its first window only). */
export interface PersistentFault {
  readonly name: string;
  /** Puts the fault in place; `window` is the 1-based scheduled window. */
  readonly apply: (window: number, world: FaultWorld) => void;
  /** Arms a fault for one step invocation (e.g. Secrets Manager failing one step). */
  readonly arm?: (step: string, world: FaultWorld) => void;
  /** Takes the fault away. */
  readonly clear: (world: FaultWorld) => void;
  /** True when no rotation can succeed while it holds, so AWSCURRENT must expire. */
  readonly blocksEveryRotation: boolean;
}

export interface FaultWorld {
  readonly togai: TogaiStandIn;
  readonly proxy: SecretsManagerFaultProxy;
  readonly apiKey: string;
}

export interface PersistentFaultOptions {
  readonly world: FaultWorld;
  readonly secrets: SecretsManagerClient;
  readonly handler: RotationHandler;
  readonly tokenArn: string;
  readonly functionArn: string;
  readonly fault: PersistentFault;
  readonly intervalHours: number;
  readonly hours: number;
  readonly minTokenLifeHours: number;
  /** Makes Secrets Manager's clock follow the simulated one (moto's `followClock`). */
  readonly followClock?: () => void;
  /**
   * The Lambda time each invocation gets (the function keeps 3 s back for reporting): short, so
   * a run under Togai 5xx takes seconds; every call still retries within it.
   */
  readonly invocationMs?: number;
}

export interface PersistentFaultReport {
  readonly fault: string;
  readonly intervalHours: number;
  readonly windows: number;
  /** Rotations the function started itself, in all and at most in one window. */
  readonly functionStarted: number;
  readonly functionStartedMaxPerWindow: number;
  readonly invocations: number;
  readonly togaiRequests: number;
  readonly maxRejectedIn30Minutes: number;
  /** Hours after the start when the token in AWSCURRENT ran out, if it did. */
  readonly expiredAfterHours?: number;
  /** The AWSCURRENT version changed while the fault held (it must not, by a failed rotation). */
  readonly currentChangedDuringFault: boolean;
  /** The first healthy window after the fault minted a fresh token into AWSCURRENT. */
  readonly recovered: boolean;
  readonly recoveryNote: string;
}

export async function simulatePersistentFault(
  options: PersistentFaultOptions,
): Promise<PersistentFaultReport> {
  const { secrets, tokenArn, world, fault } = options;
  const fake = FakeTimers.install({
    toFake: ["Date"],
    now: Date.now(),
    shouldAdvanceTime: true,
    advanceTimeDelta: 5,
  });
  const clock = clockFollowedBy(fake, options.followClock);
  const start = clock.now;
  const togaiBefore = world.togai.calls.authenticate;
  const rejectedFrom = world.togai.rejectedAt.length;
  const initial = await readCurrent(secrets, tokenArn);
  let expiredAt: number | undefined;
  let currentChanged = false;
  let invocations = 0;
  let functionStarted = 0;
  let functionStartedMaxPerWindow = 0;

  const invoke = async (step: string, versionId: string) => {
    fault.arm?.(step, world);
    try {
      await options.handler(
        { Step: step, SecretId: tokenArn, ClientRequestToken: versionId },
        lambdaContext(3_000 + (options.invocationMs ?? 400)),
      );
      return {};
    } catch (error) {
      return { error: error as Error };
    } finally {
      if (fault.arm) world.proxy.arm(undefined);
    }
  };
  const watchCurrent = async () => {
    const current = await readCurrent(secrets, tokenArn);
    if (current.versionId !== initial.versionId) currentChanged = true;
    // When the token in AWSCURRENT ran out, not when it was noticed.
    if (expiredAt === undefined && current.expiresAt <= Date.now()) expiredAt = current.expiresAt;
  };

  const windows = Math.floor(options.hours / options.intervalHours);
  let recovered = false;
  let recoveryNote = "";
  try {
    for (let w = 1; w <= windows + 1; w++) {
      clock.setSystemTime(start + w * options.intervalHours * HOUR);
      const healthy = w > windows;
      if (healthy) fault.clear(world);
      else fault.apply(w, world);
      await watchCurrent();
      const result = await runScheduledWindow({
        secrets,
        tokenArn,
        functionArn: options.functionArn,
        clock,
        invoke: healthy ? (step, id) => invokeHealthy(options, step, id) : invoke,
        afterAttempt: healthy ? undefined : watchCurrent,
      });
      if (healthy) {
        const current = await readCurrent(secrets, tokenArn);
        const hoursLeft = (current.expiresAt - Date.now()) / HOUR;
        const left = await unfinishedVersions(secrets, tokenArn);
        recovered =
          result.succeededVersionId === current.versionId &&
          hoursLeft >= options.minTokenLifeHours &&
          left.length === 0;
        recoveryNote = `${result.succeededVersionId ?? "no rotation"} succeeded, AWSCURRENT ${hoursLeft.toFixed(1)} h left, ${left.length} left pending`;
        break;
      }
      invocations += result.invocations;
      // Nobody else starts a rotation here: every one started during a window is the function's.
      const own = result.startedDuringWindow.length;
      functionStarted += own;
      functionStartedMaxPerWindow = Math.max(functionStartedMaxPerWindow, own);
    }
  } finally {
    fault.clear(world);
    fake.uninstall();
    options.followClock?.();
  }
  return {
    fault: fault.name,
    intervalHours: options.intervalHours,
    windows,
    functionStarted,
    functionStartedMaxPerWindow,
    invocations,
    togaiRequests: world.togai.calls.authenticate - togaiBefore,
    maxRejectedIn30Minutes: maxInWindow(world.togai.rejectedAt.slice(rejectedFrom), 30 * 60_000),
    expiredAfterHours: expiredAt === undefined ? undefined : (expiredAt - start) / HOUR,
    currentChangedDuringFault: currentChanged,
    recovered,
    recoveryNote,
  };
}

/** The healthy window: a normal Lambda time budget. */
function invokeHealthy(options: PersistentFaultOptions, step: string, versionId: string) {
  return options
    .handler(
      { Step: step, SecretId: options.tokenArn, ClientRequestToken: versionId },
      lambdaContext(30_000),
    )
    .then(
      () => ({}),
      (error: Error) => ({ error }),
    );
}

async function readCurrent(secrets: SecretsManagerClient, tokenArn: string) {
  const out = await secrets.send(
    new GetSecretValueCommand({ SecretId: tokenArn, VersionStage: "AWSCURRENT" }),
  );
  const { expiresAt } = JSON.parse(out.SecretString as string) as { expiresAt: string };
  return { versionId: out.VersionId as string, expiresAt: Date.parse(expiresAt) };
}

/** The most timestamps that fall in any span of `spanMs`. */
export function maxInWindow(times: number[], spanMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while (sorted[to] - sorted[from] >= spanMs) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

/**
 * The stated upper bounds per day (docs/rotation-faults.md): per scheduled window at most two
 * rotations (the scheduled one and one the function starts), each attempted at most
 * 1 + windowMinutes / reattemptMinutes times, each attempt at most four invocations and at most
 * eight Togai requests in createSecret and eight in testSecret.
 */
export function dailyBounds(intervalHours: number): { invocations: number; togaiRequests: number } {
  const attempts = 1 + SECRETS_MANAGER_MODEL.windowMinutes / SECRETS_MANAGER_MODEL.reattemptMinutes;
  const windowsPerDay = Math.ceil(24 / intervalHours);
  return {
    invocations: windowsPerDay * 2 * attempts * 4,
    togaiRequests: windowsPerDay * 2 * attempts * 16,
  };
}
