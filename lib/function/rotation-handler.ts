/**
 * The Secrets Manager rotation function for the Togai token secret: the four steps of the
 * rotation protocol, each safe to run again, with one dispatcher in front (as in AWS's rotation
 * function templates). It never logs or throws a key or a token.
 *
 * Comments name the rule each branch keeps: "rule N" is rule N of docs/rotation-protocol.md,
 * the one numbered list of the protocol's rules (a test fails on a number it does not hold).
 * A version proven unable to succeed is given up at once, with at most one fresh rotation to
 * replace it (give-up.ts): the bounds under persistent faults are in docs/rotation-faults.md.
 */

import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { secretNameFromArn } from "../aws/secret-arn";
import { STAGE, TOKEN_METRIC, type TokenSecretValue } from "../contract";
import { parseTokenSecretValue } from "../togai/token-secret";
import { createSecret } from "./create-secret";
import { RotationError } from "./errors";
import { type GiveUpContext, giveUpVersion, type HeldValue } from "./give-up";
import { rotateAfterKeyChange } from "./key-change";
import { JsonLogger } from "./logger";
import {
  type KeyChangeEvent,
  type RotationConfig,
  type RotationContext,
  type RotationEvent,
  rotationConfigFromEnv,
} from "./rotation-config";
import { callAuthenticate, PendingTokenRejectedError } from "./togai-call";
import { apiKeyFrom, hoursUntil, pendingValueProblem } from "./token-checks";
import { type SecretState, TokenSecretStore } from "./token-secret-store";
import { reattemptOfUnstagedVersion } from "./unstaged-version";

export type { KeyChangeEvent, RotationConfig, RotationContext, RotationEvent };
export { rotationConfigFromEnv };

/** What the rotator talks to; replaceable in unit tests. */
export interface RotationDependencies {
  /** The AWS SDK's Secrets Manager client (region, endpoint and credentials from Lambda). */
  readonly secrets: SecretsManagerClient;
  readonly logger?: JsonLogger;
  /** Random source for retry jitter. @default Math.random */
  readonly random?: () => number;
}

const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
type Step = (typeof STEPS)[number];

/** Time kept back from the Lambda's deadline for the step to report its failure. */
const DEADLINE_MARGIN_MS = 3_000;

/** One rotation function instance: the dispatcher and the four steps. */
export class TogaiTokenRotator {
  private readonly logger: JsonLogger;
  private readonly store: TokenSecretStore;
  /**
   * Versions whose token Togai refused, as seen by this instance (a warm Lambda container). Only
   * matters when giving such a version up failed: its re-attempts then spare Togai the token.
   */
  private readonly refusedVersions = new Set<string>();

  constructor(
    private readonly config: RotationConfig,
    private readonly deps: RotationDependencies,
  ) {
    this.logger = deps.logger ?? new JsonLogger({ secretArn: config.tokenSecretArn });
    this.store = new TokenSecretStore(deps.secrets, config.tokenSecretArn);
  }

  /** Dispatches an invocation: a key-change event from EventBridge, or a rotation step. */
  invoke(event: RotationEvent | KeyChangeEvent, context: RotationContext): Promise<void> {
    return "source" in event
      ? rotateAfterKeyChange(event, this.config, this.deps.secrets, this.logger)
      : this.handle(event, context);
  }

  /** Runs one step of one rotation. Throws on any state the protocol does not allow. */
  async handle(event: RotationEvent, context: RotationContext): Promise<void> {
    const step = event.Step as Step;
    const token = event.ClientRequestToken;
    const log = this.logger.child({ step: event.Step, versionId: token });
    // Rule 1: an unknown step is an error.
    if (!STEPS.includes(step)) {
      throw new RotationError(
        `Unknown rotation step "${event.Step}": expected one of ${STEPS.join(", ")}`,
      );
    }
    this.checkSecretId(event.SecretId);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
    try {
      // Rule 2: rotation must be enabled.
      const state = await this.store.describe();
      if (!state.rotationEnabled) {
        throw new RotationError(`Rotation is not enabled on secret ${this.config.tokenSecretArn}`);
      }
      const cx = this.giveUpContext(state, log);
      // Rule 4: AWSCURRENT already there means done.
      const stages = state.versions[token];
      if (stages?.includes(STAGE.current)) {
        log.info("version already holds AWSCURRENT: rotation already finished");
        return;
      }
      // Rules 3 and 4: a version that is not (or no longer) pending fails, without calling Togai.
      if (!stages?.includes(STAGE.pending)) return await reattemptOfUnstagedVersion(token, cx);
      log.info("step started");
      switch (step) {
        case "createSecret":
          return await this.createSecret(token, deadline, cx);
        case "setSecret":
          return await this.setSecret(token, log);
        case "testSecret":
          return await this.testSecret(token, deadline, cx);
        case "finishSecret":
          return await this.finishSecret(token, cx);
      }
    } catch (error) {
      log.error("step failed", { error: (error as Error).name, reason: (error as Error).message });
      throw error;
    }
  }

  private giveUpContext(state: SecretState, log: JsonLogger): GiveUpContext {
    return {
      config: this.config,
      store: this.store,
      secrets: this.deps.secrets,
      log,
      versions: state.versions,
      rotationLambdaArn: state.rotationLambdaArn,
    };
  }

  /** Rule 5: the function serves the one secret it was deployed for (by ARN, or by name). */
  private checkSecretId(secretId: string): void {
    const arn = this.config.tokenSecretArn;
    if (secretId !== arn && secretId !== secretNameFromArn(arn)) {
      throw new RotationError(`This function rotates ${arn} only; it was invoked for ${secretId}`);
    }
  }

  private createSecret(token: string, deadline: number, cx: GiveUpContext): Promise<void> {
    return createSecret(token, {
      ...cx,
      mint: (key) => this.authenticate(key, "mint", deadline, cx.log),
      accepts: async (candidate) => {
        try {
          return (await this.authenticate(candidate, "check", deadline, cx.log)) === candidate;
        } catch (error) {
          if (error instanceof PendingTokenRejectedError) return false;
          throw error;
        }
      },
      published: (value) => this.publishHoursLeft(value),
    });
  }

  /** Rule 9: nothing to push (Togai minted the token itself); the preconditions must hold. */
  private async setSecret(token: string, log: JsonLogger): Promise<void> {
    await this.store.readPendingToken(token);
    log.info("nothing to push to Togai: the token was minted by Togai");
  }

  /**
   * Rule 10: proves the pending token works, without side effects. A version without a value is
   * Secrets Manager's configuration check (rotate_immediately = false): then it proves what can
   * be proven without a token.
   */
  private async testSecret(token: string, deadline: number, cx: GiveUpContext): Promise<void> {
    const { log } = cx;
    const stored = await this.store.readVersionMeta(token, STAGE.pending);
    if (stored === undefined) {
      // Rule 5 held and DescribeSecret worked (this is the configured token secret); the key
      // secret must be readable and hold a usable key. No call to Togai, nothing written.
      apiKeyFrom(
        await this.store.readCurrent(this.config.apiKeySecretArn),
        this.config.apiKeySecretArn,
      );
      log.info(
        "configuration check passed: no token in this version yet; the API-key secret is readable and holds a usable key",
      );
      return;
    }
    const held: HeldValue = { held: true, createdAt: stored.createdDate };
    const { tokenSecretArn, minTokenLifeHours } = this.config;
    const problem = pendingValueProblem(stored.value, tokenSecretArn, minTokenLifeHours);
    if (problem) {
      const reason = `its pending value is not usable: ${problem}`;
      return giveUpVersion(token, reason, held, "once-per-window", cx);
    }
    const pending = parseTokenSecretValue(stored.value, tokenSecretArn);
    if (this.refusedVersions.has(token)) {
      // This instance saw Togai refuse this very token, and giving the version up failed then
      // (Secrets Manager failing too): try again without showing Togai the token once more.
      const reason = "Togai refused its token at an earlier attempt";
      return giveUpVersion(token, reason, held, "once-per-window", cx);
    }
    let echoed: string;
    try {
      echoed = await this.authenticate(pending.token, "check", deadline, log);
    } catch (error) {
      // Refused: no re-attempt can pass with this token, and each would send Togai another
      // rejected credential. Any other failure (429, 5xx) leaves the version for a re-attempt.
      if (!(error instanceof PendingTokenRejectedError)) throw error;
      this.refusedVersions.add(token);
      return giveUpVersion(token, error.message, held, "once-per-window", cx);
    }
    if (echoed !== pending.token) {
      const reason =
        "Togai /authenticate called with the pending token did not return that same token: Togai does not accept it";
      return giveUpVersion(token, reason, held, "once-per-window", cx);
    }
    log.info("pending token accepted by Togai", {
      expiresAt: pending.expiresAt,
      hoursLeft: Number(hoursUntil(pending.expiresAt).toFixed(2)),
    });
  }

  private async finishSecret(token: string, cx: GiveUpContext): Promise<void> {
    const { log, versions } = cx;
    const { value: pending, createdDate } = await this.store.readPendingToken(token);
    // Never promote a token minted from a key that was replaced meanwhile (a leaked key is the
    // usual reason): a fresh rotation mints from the new key instead, whoever started this one.
    if (pending.keyVersionId) {
      const key = await this.store.readCurrentVersion(this.config.apiKeySecretArn);
      if (key?.versionId && key.versionId !== pending.keyVersionId) {
        return giveUpVersion(
          token,
          `its token was minted from version ${pending.keyVersionId} of the API-key secret, which version ${key.versionId} has replaced`,
          { held: true, createdAt: createdDate },
          "always",
          cx,
        );
      }
    }
    // Rules 11 and 12: move AWSCURRENT (the old version gets AWSPREVIOUS).
    const current = Object.keys(versions).find((id) => versions[id].includes(STAGE.current));
    await this.store.moveStage(STAGE.current, token, current);
    // Rule 13: leave no AWSPENDING behind, or the next rotation is refused as still in progress.
    await this.store.removeStage(STAGE.pending, token);
    log.info("AWSCURRENT moved to the new version", { previousVersionId: current ?? "none" });
    this.publishHoursLeft(pending);
  }

  /** One datapoint per successful rotation: the token-age alarm fires when they stop. */
  private publishHoursLeft(value: TokenSecretValue): void {
    const arn = this.config.tokenSecretArn;
    this.logger.metric(
      TOKEN_METRIC.namespace,
      TOKEN_METRIC.hoursLeft,
      Number(hoursUntil(value.expiresAt).toFixed(2)),
      { [TOKEN_METRIC.dimension]: secretNameFromArn(arn) ?? arn },
    );
  }

  private authenticate(
    credential: string,
    purpose: "mint" | "check",
    deadline: number,
    log: JsonLogger,
  ): Promise<string> {
    return callAuthenticate({
      apiBaseUrl: this.config.apiBaseUrl,
      apiKeySecretArn: this.config.apiKeySecretArn,
      credential,
      purpose,
      deadline,
      log,
      random: this.deps.random,
    });
  }
}

let rotator: TogaiTokenRotator | undefined;

/**
 * The Lambda entry point: a rotation step from Secrets Manager, or a key-change event from
 * EventBridge. The client and config are built once per container.
 */
export async function handler(
  event: RotationEvent | KeyChangeEvent,
  context: RotationContext,
): Promise<void> {
  rotator ??= new TogaiTokenRotator(rotationConfigFromEnv(), {
    secrets: new SecretsManagerClient({
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
    }),
  });
  await rotator.invoke(event, context);
}
