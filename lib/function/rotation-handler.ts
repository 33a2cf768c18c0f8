/**
 * The Secrets Manager rotation function for the Togai token secret: the four steps of the
 * rotation protocol, each safe to run again, with one dispatcher in front (as in AWS's rotation
 * function templates). It never logs or throws a key or a token.
 *
 * Comments name the protocol rule each branch keeps:
 *  1 an unknown step fails; 2 rotation must be enabled; 3 the version must exist; 4 a version
 *  holding AWSCURRENT is done, one without AWSPENDING fails; 5 one function serves one secret;
 *  6 createSecret reads what the value needs (the key); 7 an existing pending value is kept only
 *  while usable (an aged one is given up and a fresh rotation started at once: create-secret.ts);
 *  8 otherwise mint and store it as AWSPENDING, unless a newer rotation superseded this one; 9 setSecret pushes nothing but
 *  checks its preconditions; 10 testSecret proves the pending value, without side effects;
 *  11-12 finishSecret moves AWSCURRENT; 13 no AWSPENDING is left off AWSCURRENT.
 */

import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { unfinishedVersionIds } from "../aws/start-rotation";
import { STAGE, secretNameFromArn, TOKEN_METRIC, type TokenSecretValue } from "../contract";
import { InvalidTogaiTokenError } from "../togai/errors";
import { decodeTogaiToken } from "../togai/togai-jwt";
import { parseTokenSecretValue } from "../togai/token-secret";
import { createSecret } from "./create-secret";
import { RotationError } from "./errors";
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
import { apiKeyFrom, hoursUntil } from "./token-checks";
import { TokenSecretStore } from "./token-secret-store";

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
      const { rotationEnabled, versions } = await this.store.describe();
      if (!rotationEnabled) {
        throw new RotationError(`Rotation is not enabled on secret ${this.config.tokenSecretArn}`);
      }
      // Rule 3: the version must exist (AWS stops listing a version that lost its last label,
      // as a superseded or given-up rotation's version does: say which rotation runs instead).
      const stages = versions[token];
      if (!stages) {
        const [newer] = unfinishedVersionIds(versions);
        throw new RotationError(
          `Version ${token} is not a version of secret ${this.config.tokenSecretArn}${newer ? ` (the rotation of version ${newer} is running); AWSCURRENT is unchanged` : ""}`,
        );
      }
      // Rule 4: AWSCURRENT already there means done; otherwise it must be AWSPENDING.
      if (stages.includes(STAGE.current)) {
        log.info("version already holds AWSCURRENT: rotation already finished");
        return;
      }
      if (!stages.includes(STAGE.pending)) {
        const [newer] = unfinishedVersionIds(versions);
        throw new RotationError(
          `Version ${token} of secret ${this.config.tokenSecretArn} is not staged AWSPENDING${newer ? `: superseded by the rotation of version ${newer}` : ""}; AWSCURRENT is unchanged`,
        );
      }
      log.info("step started");
      switch (step) {
        case "createSecret":
          return await this.createSecret(token, deadline, log);
        case "setSecret":
          return await this.setSecret(token, log);
        case "testSecret":
          return await this.testSecret(token, deadline, log);
        case "finishSecret":
          return await this.finishSecret(token, versions, log);
      }
    } catch (error) {
      log.error("step failed", { error: (error as Error).name, reason: (error as Error).message });
      throw error;
    }
  }

  /** Rule 5: the function serves the one secret it was deployed for (by ARN, or by name). */
  private checkSecretId(secretId: string): void {
    const arn = this.config.tokenSecretArn;
    if (secretId !== arn && secretId !== secretNameFromArn(arn)) {
      throw new RotationError(`This function rotates ${arn} only; it was invoked for ${secretId}`);
    }
  }

  private createSecret(token: string, deadline: number, log: JsonLogger): Promise<void> {
    return createSecret(token, {
      config: this.config,
      store: this.store,
      secrets: this.deps.secrets,
      log,
      mint: (key) => this.authenticate(key, "mint", deadline, log),
      accepts: async (pending) => {
        try {
          await this.authenticate(pending, "check", deadline, log);
          return true;
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
    await this.readPending(token);
    log.info("nothing to push to Togai: the token was minted by Togai");
  }

  /**
   * Rule 10: proves the pending token works, without side effects. A version without a value is
   * Secrets Manager's configuration check (rotate_immediately = false): then it proves what can
   * be proven without a token.
   */
  private async testSecret(token: string, deadline: number, log: JsonLogger): Promise<void> {
    const raw = await this.store.readVersion(token, STAGE.pending);
    if (raw === undefined) {
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
    const pending = parseTokenSecretValue(raw, this.config.tokenSecretArn);
    let expiresAt: number;
    try {
      expiresAt = decodeTogaiToken(pending.token).expiresAt.getTime();
    } catch (error) {
      if (error instanceof InvalidTogaiTokenError) {
        throw new RotationError(
          `The pending token of version ${token} is not a Togai token: ${error.message}`,
        );
      }
      throw error;
    }
    const hoursLeft = hoursUntil(expiresAt);
    if (hoursLeft < this.config.minTokenLifeHours) {
      throw new RotationError(
        `The pending token has ${hoursLeft.toFixed(2)} h of life left, below the minimum of ${this.config.minTokenLifeHours} h`,
      );
    }
    const echoed = await this.authenticate(pending.token, "check", deadline, log);
    if (echoed !== pending.token) {
      throw new RotationError(
        "Togai /authenticate called with the pending token did not return that same token: Togai does not accept it",
      );
    }
    log.info("pending token accepted by Togai", {
      expiresAt: pending.expiresAt,
      hoursLeft: Number(hoursLeft.toFixed(2)),
    });
  }

  private async finishSecret(
    token: string,
    versions: Record<string, string[]>,
    log: JsonLogger,
  ): Promise<void> {
    const pending = await this.readPending(token);
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

  private async readPending(token: string): Promise<TokenSecretValue> {
    const pending = await this.store.readVersion(token, STAGE.pending);
    if (pending === undefined) {
      throw new RotationError(
        `Version ${token} has no value yet: createSecret must run before this step`,
      );
    }
    return parseTokenSecretValue(pending, this.config.tokenSecretArn);
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
