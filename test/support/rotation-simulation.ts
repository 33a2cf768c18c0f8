/**
 * A seeded simulation of days of scheduled rotations under faults. Secrets Manager (moto, through
 * the fault proxy for the function's own calls) and the Togai stand-in are real servers;
 * Secrets Manager's part is played by the project's one model of it (secrets-manager-model.ts,
 * docs/rotation-faults.md): windows on schedule, re-attempts of a failed rotation every 5 minutes
 * for as long as a window lasts, and a rotation the function starts itself run at once, with no
 * cap on them. One simulated clock (fake Date, also advancing with real time) serves the function
 * and the stand-in, so tokens age as they would.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { lambdaContext, type RotationHandler } from "./rotation-driver";
import type { SecretsManagerFaultKind, SecretsManagerFaultProxy } from "./rotation-fault-proxy";
import { clockFollowedBy, runScheduledWindow, unfinishedVersions } from "./secrets-manager-model";
import type { TogaiFault, TogaiStandIn } from "./togai-standin";

const HOUR = 3_600_000;
const TOKEN_LIFE_HOURS = 24;

/** Every fault the simulation plays, at a random point of one step invocation. */
export const FAULT_KINDS = [
  "togai-429-once",
  "togai-503-until-timeout",
  "togai-html-502-until-timeout",
  "togai-connection-reset-once",
  "sm-throttle-once",
  "sm-throttle-persistent",
  "sm-internal-error-persistent",
  "sm-html-502-persistent",
  "function-dies-between-calls",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SimulationOptions {
  readonly seed: number;
  readonly secrets: SecretsManagerClient;
  /** Makes Secrets Manager's clock follow the simulated one (moto's `followClock`). */
  readonly followClock?: () => void;
  readonly togai: TogaiStandIn;
  readonly proxy: SecretsManagerFaultProxy;
  /** The deployed bundle, configured to reach Secrets Manager through `proxy`. */
  readonly handler: RotationHandler;
  readonly tokenArn: string;
  readonly functionArn: string;
  readonly minTokenLifeHours: number;
  /** @default 72 */
  readonly hours?: number;
  /** @default 6 */
  readonly intervalHours?: number;
  /** Share of step invocations that meet a fault. @default 1/3 */
  readonly faultRate?: number;
  /**
   * Re-attempts of a failed rotation, 5 minutes apart, when fewer than the model's (a kinder
   * schedule than the model plans for). @default the model's: for as long as the window lasts
   */
  readonly windowRetries?: number;
}

export interface SimulationReport {
  readonly seed: number;
  stepInvocations: number;
  /** Invocations given a fault at a random point (about `faultRate` of them). */
  faultsArmed: number;
  /** Armed faults the invocation actually reached (a point past its last call is never met). */
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  /** Successful rotations that followed at least one fault since the previous success. */
  recoveries: number;
  /** Versions whose aged pending value was cleared by createSecret (self-healing). */
  healedVersions: number;
  /** Rotations the function started itself, run at once in the same window. */
  freshRotationsStarted: number;
  /**
   * Tokens that expired in AWSCURRENT only after enough windows in a row failed on every attempt
   * to outlast a token's 24 h (the function was never given a chance): allowed, and counted.
   */
  tokensExpiredAfterFailedWindows: number;
  rotationsSucceeded: number;
  /** Broken invariants, in order; empty when the run kept them all. */
  violations: string[];
}

/** mulberry32: a small seeded generator, enough to replay a run from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function simulateRotations(options: SimulationOptions): Promise<SimulationReport> {
  const { secrets, togai, proxy, tokenArn } = options;
  const random = seededRandom(options.seed);
  const interval = options.intervalHours ?? 6;
  const report: SimulationReport = {
    seed: options.seed,
    stepInvocations: 0,
    faultsArmed: 0,
    faultsInjected: 0,
    faultsByKind: {},
    recoveries: 0,
    healedVersions: 0,
    freshRotationsStarted: 0,
    tokensExpiredAfterFailedWindows: 0,
    rotationsSucceeded: 0,
    violations: [],
  };
  const fake = FakeTimers.install({
    toFake: ["Date"],
    now: Date.now(),
    shouldAdvanceTime: true,
    advanceTimeDelta: 5,
  });
  const clock = clockFollowedBy(fake, options.followClock);
  const start = clock.now;
  const at = () => `t+${((clock.now - start) / HOUR).toFixed(2)} h`;
  const faultedVersions = new Set<string>();
  let faultSinceSuccess = false;
  /** Windows in a row whose every attempt met a fault; reset by a successful rotation. */
  let failedWindowsInRow = 0;
  const expiredAfterFailedWindows = new Set<string>();

  /** Invariant after every step: AWSCURRENT holds a token that has not expired. */
  const checkCurrent = async (context: string) => {
    const out = await secrets.send(
      new GetSecretValueCommand({ SecretId: tokenArn, VersionStage: "AWSCURRENT" }),
    );
    const { expiresAt } = JSON.parse(out.SecretString as string) as { expiresAt: string };
    if (Date.parse(expiresAt) <= Date.now()) {
      // The one expiry no design can prevent: the function runs only when invoked, and enough
      // windows in a row failed on every attempt (each met a fault) that the last fresh token,
      // minted (failedWindowsInRow + 1) intervals ago, reached its 24 h. With the default 6 h
      // that takes three such windows; with the longest allowed, 11 h, two.
      if ((failedWindowsInRow + 1) * interval >= TOKEN_LIFE_HOURS) {
        expiredAfterFailedWindows.add(expiresAt);
      } else {
        report.violations.push(
          `${at()} ${context}: AWSCURRENT holds a token that expired at ${expiresAt} after ${failedWindowsInRow} window(s) that failed on every attempt`,
        );
      }
    }
    return {
      versionId: out.VersionId as string,
      hoursLeft: (Date.parse(expiresAt) - Date.now()) / HOUR,
    };
  };

  /** One step invocation, perhaps with a fault; resolves to the error and whether a fault played. */
  const invoke = async (step: string, versionId: string, withFaults: boolean) => {
    // setSecret and finishSecret never call Togai: only Secrets Manager faults can meet them.
    const kinds = /^(create|test)Secret$/.test(step)
      ? FAULT_KINDS
      : FAULT_KINDS.filter((k) => !k.startsWith("togai-"));
    const kind: FaultKind | undefined =
      withFaults && random() < (options.faultRate ?? 1 / 3)
        ? kinds[Math.floor(random() * kinds.length)]
        : undefined;
    const fromCall = Math.floor(random() * 3);
    armFault(kind, fromCall, togai, proxy);
    const togaiBefore = togai.calls.authenticate;
    let error: Error | undefined;
    try {
      await options.handler(
        { Step: step, SecretId: tokenArn, ClientRequestToken: versionId },
        lambdaContext(4_500),
      );
    } catch (e) {
      error = e as Error;
    }
    const played = kind?.startsWith("togai-")
      ? togai.calls.authenticate > togaiBefore
      : kind !== undefined && proxy.played;
    togai.clearFaults();
    proxy.arm(undefined);
    report.stepInvocations++;
    if (kind) report.faultsArmed++;
    if (played && kind) {
      report.faultsInjected++;
      report.faultsByKind[kind] = (report.faultsByKind[kind] ?? 0) + 1;
    }
    return { error, faulted: played };
  };

  /**
   * One scheduled window on the Secrets Manager model (secrets-manager-model.ts): re-attempts
   * 5 minutes apart for as long as the window lasts, rotations the function starts run at once,
   * no cap on them. `withFaults: false` is the final, fault-free window.
   */
  const window = async (withFaults: boolean) => {
    let everyAttemptFaulted = true;
    const result = await runScheduledWindow({
      secrets,
      tokenArn,
      functionArn: options.functionArn,
      clock,
      maxReattempts: options.windowRetries,
      invoke: async (step, versionId) => {
        const outcome = await invoke(step, versionId, withFaults);
        await checkCurrent(`after ${step} of ${versionId}`);
        return outcome;
      },
      afterAttempt: async (attempt) => {
        const { versionId } = attempt;
        if (attempt.faulted) {
          faultedVersions.add(versionId);
          faultSinceSuccess = true;
        }
        if (attempt.ok) {
          failedWindowsInRow = 0;
          report.rotationsSucceeded++;
          if (faultSinceSuccess) report.recoveries++;
          faultSinceSuccess = false;
          const current = await checkCurrent(`end of rotation ${versionId}`);
          if (current.versionId !== versionId || current.hoursLeft < options.minTokenLifeHours) {
            report.violations.push(
              `${at()} rotation ${versionId} succeeded but AWSCURRENT is ${current.versionId} with ${current.hoursLeft.toFixed(2)} h left`,
            );
          }
          return;
        }
        const message = attempt.error?.message ?? "";
        if (/ was given up \(/.test(message)) report.healedVersions++;
        // A version given up (or superseded) fails its later re-attempts by design.
        const healing = / was given up|is not staged AWSPENDING|is not a version of secret/.test(
          message,
        );
        // Without a fault, a version that never met one must succeed, and one that did may only
        // fail by being given up and replaced.
        if (!attempt.faulted && (!faultedVersions.has(versionId) || !healing)) {
          everyAttemptFaulted = false;
          report.violations.push(
            `${at()} fault-free attempt of ${versionId} failed in ${attempt.failedStep}: ${message}`,
          );
        }
      },
    });
    report.freshRotationsStarted += result.startedDuringWindow.length;
    if (result.startedDuringWindow.length > 1) {
      report.violations.push(
        `${at()} the function started ${result.startedDuringWindow.length} rotations in one window: ${result.startedDuringWindow.join(", ")}`,
      );
    }
    if (!result.succeededVersionId && everyAttemptFaulted) failedWindowsInRow++;
  };

  try {
    const windows = (options.hours ?? 72) / interval;
    for (let w = 1; w <= windows; w++) {
      clock.setSystemTime(start + w * interval * HOUR);
      await window(true);
    }
    // No operator action: the next scheduled rotation without faults mints a fresh token.
    clock.setSystemTime(start + (windows + 1) * interval * HOUR);
    await window(false);
    const [unfinished] = await unfinishedVersions(secrets, tokenArn);
    if (unfinished) report.violations.push(`${at()} version ${unfinished} left AWSPENDING behind`);
  } finally {
    fake.uninstall();
    options.followClock?.();
  }
  report.tokensExpiredAfterFailedWindows = expiredAfterFailedWindows.size;
  return report;
}

function armFault(
  kind: FaultKind | undefined,
  fromCall: number,
  togai: TogaiStandIn,
  proxy: SecretsManagerFaultProxy,
): void {
  const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
  const sm = (k: SecretsManagerFaultKind, calls?: number) => () =>
    proxy.arm({ kind: k, fromCall, calls });
  const authenticate = (fault: Omit<TogaiFault, "path">) => () =>
    togai.inject({ path: "/authenticate", ...fault });
  const plays: Record<FaultKind, () => void> = {
    "togai-429-once": authenticate({ kind: "status", status: 429 }),
    "togai-503-until-timeout": authenticate({ kind: "status", status: 503, times: 1000 }),
    "togai-html-502-until-timeout": authenticate({
      kind: "status",
      status: 502,
      body: html,
      times: 1000,
    }),
    "togai-connection-reset-once": authenticate({ kind: "reset" }),
    "sm-throttle-once": sm("throttle", 1),
    "sm-throttle-persistent": sm("throttle"),
    "sm-internal-error-persistent": sm("internal-error"),
    "sm-html-502-persistent": sm("html-502"),
    "function-dies-between-calls": sm("die"),
  };
  if (kind) plays[kind]();
  else proxy.arm(undefined);
}
