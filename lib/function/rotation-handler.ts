/**
 * The Secrets Manager rotation function for the Togai token secret: the four steps of the
 * rotation protocol, each safe to run again, with one dispatcher in front (as in AWS's rotation
 * function templates). It never logs or throws a key or a token.
 */

import { secretNameFromArn } from "../aws/secret-arn";
import { startRotationNow } from "../aws/start-rotation";
import {
  DEFAULT_MIN_TOKEN_LIFE_HOURS,
  PUT_API_KEY_HINT,
  ROTATION_ENV,
  STAGE,
  TOKEN_METRIC,
  type TokenSecretValue,
} from "../contract";
import { InvalidTogaiTokenError, RotationError, TogaiAuthenticationError } from "../togai/errors";
import { withRetry } from "../togai/retry";
import { authenticate } from "../togai/togai-api";
import { decodeTogaiToken } from "../togai/togai-jwt";
import { parseTokenSecretValue, tokenSecretValueFor } from "../togai/token-secret";
import { LightSecretsClient } from "./light-secrets-client";
import { JsonLogger } from "./logger";

/** What Secrets Manager sends to a rotation function. */
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

/** What EventBridge sends when CloudTrail recorded a call that changed the API-key secret. */
export interface KeyChangeEvent {
  readonly source: string;
  readonly "detail-type": string;
  readonly detail?: {
    readonly eventName?: string;
    readonly requestParameters?: { readonly secretId?: string };
  };
}

/** The part of the Lambda context the function uses. */
export interface RotationContext {
  getRemainingTimeInMillis(): number;
}

/** Configuration, read from the environment that `TogaiTokenRotation` declares. */
export interface RotationConfig {
  readonly apiKeySecretArn: string;
  readonly tokenSecretArn: string;
  readonly apiBaseUrl: string;
  readonly minTokenLifeHours: number;
}

/** What the rotator talks to; replaceable in unit tests. */
export interface RotationDependencies {
  readonly secrets: LightSecretsClient;
  readonly logger?: JsonLogger;
  /** Random source for retry jitter. @default Math.random */
  readonly random?: () => number;
}

const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
type Step = (typeof STEPS)[number];

/** Time kept back from the Lambda's deadline for the step to report its failure. */
const DEADLINE_MARGIN_MS = 3_000;

/** Reads and checks the function's environment; the error names the variable to fix. */
export function rotationConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RotationConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new RotationError(
        `Environment variable ${name} is not set: deploy the function with TogaiTokenRotation, which sets it`,
      );
    }
    return value;
  };
  const minLifeRaw = env[ROTATION_ENV.minTokenLifeHours];
  const minTokenLifeHours = minLifeRaw ? Number(minLifeRaw) : DEFAULT_MIN_TOKEN_LIFE_HOURS;
  if (!Number.isFinite(minTokenLifeHours) || minTokenLifeHours <= 0 || minTokenLifeHours >= 24) {
    throw new RotationError(
      `${ROTATION_ENV.minTokenLifeHours} must be a number of hours above 0 and below 24, got "${minLifeRaw}"`,
    );
  }
  return {
    apiKeySecretArn: required(ROTATION_ENV.apiKeySecretArn),
    tokenSecretArn: required(ROTATION_ENV.tokenSecretArn),
    apiBaseUrl: required(ROTATION_ENV.apiBaseUrl),
    minTokenLifeHours,
  };
}

/** One rotation function instance: the dispatcher and the four steps. */
export class TogaiTokenRotator {
  private readonly logger: JsonLogger;

  constructor(
    private readonly config: RotationConfig,
    private readonly deps: RotationDependencies,
  ) {
    this.logger = deps.logger ?? new JsonLogger({ secretArn: config.tokenSecretArn });
  }

  /** Dispatches an invocation: a key-change event from EventBridge, or a rotation step. */
  invoke(event: RotationEvent | KeyChangeEvent, context: RotationContext): Promise<void> {
    return "source" in event ? this.rotateAfterKeyChange(event) : this.handle(event, context);
  }

  /** Runs one step of one rotation. Throws on any state the protocol does not allow. */
  async handle(event: RotationEvent, context: RotationContext): Promise<void> {
    const step = event.Step as Step;
    const token = event.ClientRequestToken;
    const log = this.logger.child({ step: event.Step, versionId: token });
    if (!STEPS.includes(step)) {
      throw new RotationError(
        `Unknown rotation step "${event.Step}": expected one of ${STEPS.join(", ")}`,
      );
    }
    this.checkSecretId(event.SecretId);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;

    const meta = await this.deps.secrets.describeSecret(this.config.tokenSecretArn);
    if (!meta.RotationEnabled) {
      throw new RotationError(`Rotation is not enabled on secret ${this.config.tokenSecretArn}`);
    }
    const versions = meta.VersionIdsToStages ?? {};
    const stages = versions[token];
    if (!stages) {
      throw new RotationError(
        `Version ${token} is not a version of secret ${this.config.tokenSecretArn}`,
      );
    }
    if (stages.includes(STAGE.current)) {
      log.info("version already holds AWSCURRENT: rotation already finished");
      return;
    }
    if (!stages.includes(STAGE.pending)) {
      throw new RotationError(
        `Version ${token} of secret ${this.config.tokenSecretArn} is not staged AWSPENDING`,
      );
    }

    log.info("step started");
    try {
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

  /**
   * The API-key secret got a new value (EventBridge, from CloudTrail): start a rotation now, so
   * the new key takes effect at once. Events for any other secret are ignored.
   */
  async rotateAfterKeyChange(event: KeyChangeEvent): Promise<void> {
    const changed = event.detail?.requestParameters?.secretId;
    const key = this.config.apiKeySecretArn;
    const log = this.logger.child({ trigger: event.detail?.eventName ?? event["detail-type"] });
    if (!changed || (changed !== key && changed !== secretNameFromArn(key))) {
      log.warn("event is not about the API-key secret: ignored", {
        changedSecret: changed ?? "none",
      });
      return;
    }
    const started = await startRotationNow(this.deps.secrets, this.config.tokenSecretArn);
    for (const versionId of started.clearedVersionIds) {
      log.info("cleared AWSPENDING left by an unfinished rotation", {
        clearedVersionId: versionId,
      });
    }
    log.info("the API key changed: rotation started", { versionId: started.versionId });
  }

  /** Rule 5: the function serves the one secret it was deployed for (by ARN, or by name). */
  private checkSecretId(secretId: string): void {
    const arn = this.config.tokenSecretArn;
    if (secretId !== arn && secretId !== secretNameFromArn(arn)) {
      throw new RotationError(`This function rotates ${arn} only; it was invoked for ${secretId}`);
    }
  }

  private async createSecret(token: string, deadline: number, log: JsonLogger): Promise<void> {
    const existing = await this.deps.secrets.getSecretString(
      this.config.tokenSecretArn,
      STAGE.pending,
      token,
    );
    if (existing) {
      log.info("pending version already has a value: nothing to create");
      return;
    }
    const key = await this.readApiKey();
    const minted = await this.callTogai(key, deadline, log, "mint");
    let value: TokenSecretValue;
    try {
      value = tokenSecretValueFor(minted, this.config.apiBaseUrl);
    } catch (error) {
      throw new RotationError(
        `Togai /authenticate returned something that is not a Togai token (${(error as Error).message}); AWSCURRENT keeps the previous token`,
      );
    }
    if (Date.parse(value.expiresAt) <= Date.now()) {
      throw new RotationError(
        `Togai /authenticate returned a token that expired at ${value.expiresAt}; AWSCURRENT keeps the previous token`,
      );
    }
    await this.deps.secrets.putSecretValue({
      SecretId: this.config.tokenSecretArn,
      ClientRequestToken: token,
      SecretString: JSON.stringify(value),
      VersionStages: [STAGE.pending],
    });
    log.info("token minted and stored as AWSPENDING", {
      expiresAt: value.expiresAt,
      issuedAt: value.issuedAt,
    });
  }

  /** Nothing to push: Togai minted the token itself. The preconditions must still hold. */
  private async setSecret(token: string, log: JsonLogger): Promise<void> {
    await this.readPending(token);
    log.info("nothing to push to Togai: the token was minted by Togai");
  }

  /** Proves the pending token works, without side effects (Secrets Manager may call this alone). */
  private async testSecret(token: string, deadline: number, log: JsonLogger): Promise<void> {
    const pending = await this.readPending(token);
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
    const hoursLeft = (expiresAt - Date.now()) / 3_600_000;
    if (hoursLeft < this.config.minTokenLifeHours) {
      throw new RotationError(
        `The pending token has ${hoursLeft.toFixed(2)} h of life left, below the minimum of ${this.config.minTokenLifeHours} h`,
      );
    }
    const echoed = await this.callTogai(pending.token, deadline, log, "check");
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
    const current = Object.keys(versions).find((id) => versions[id].includes(STAGE.current));
    await this.deps.secrets.updateSecretVersionStage({
      SecretId: this.config.tokenSecretArn,
      VersionStage: STAGE.current,
      MoveToVersionId: token,
      RemoveFromVersionId: current,
    });
    // Rule 13: leave no AWSPENDING behind, or the next rotation is refused as still in progress.
    await this.deps.secrets.updateSecretVersionStage({
      SecretId: this.config.tokenSecretArn,
      VersionStage: STAGE.pending,
      RemoveFromVersionId: token,
    });
    log.info("AWSCURRENT moved to the new version", { previousVersionId: current ?? "none" });
    // One datapoint per successful rotation: the token-age alarm fires when they stop.
    const hoursLeft = (Date.parse(pending.expiresAt) - Date.now()) / 3_600_000;
    log.metric(TOKEN_METRIC.namespace, TOKEN_METRIC.hoursLeft, Number(hoursLeft.toFixed(2)), {
      [TOKEN_METRIC.dimension]:
        secretNameFromArn(this.config.tokenSecretArn) ?? this.config.tokenSecretArn,
    });
  }

  private async readPending(token: string): Promise<TokenSecretValue> {
    const pending = await this.deps.secrets.getSecretString(
      this.config.tokenSecretArn,
      STAGE.pending,
      token,
    );
    if (pending === undefined) {
      throw new RotationError(
        `Version ${token} has no value yet: createSecret must run before this step`,
      );
    }
    return parseTokenSecretValue(pending, this.config.tokenSecretArn);
  }

  private async readApiKey(): Promise<string> {
    const arn = this.config.apiKeySecretArn;
    const key = (await this.deps.secrets.getSecretString(arn))?.trim();
    if (!key) {
      throw new RotationError(
        `The API-key secret ${arn} holds no Togai secret key yet: ${PUT_API_KEY_HINT}`,
      );
    }
    return key;
  }

  /** `/authenticate` with retries for 429, 5xx and network errors, bounded by the deadline. */
  private async callTogai(
    credential: string,
    deadline: number,
    log: JsonLogger,
    purpose: "mint" | "check",
  ): Promise<string> {
    try {
      return await withRetry(
        (attempt) => {
          log.info("calling Togai /authenticate", { purpose, attempt });
          return authenticate(this.config.apiBaseUrl, credential, {
            timeoutMs: Math.max(1_000, Math.min(10_000, deadline - Date.now())),
          });
        },
        {
          maxAttempts: 8,
          deadline,
          random: this.deps.random,
          onRetry: ({ attempt, delayMs, error }) =>
            log.warn("Togai call failed, retrying", {
              purpose,
              attempt,
              delayMs,
              reason: (error as Error).message,
            }),
        },
      );
    } catch (error) {
      if (error instanceof TogaiAuthenticationError && purpose === "mint") {
        throw new RotationError(
          `Togai rejected the secret key stored in ${this.config.apiKeySecretArn} (HTTP ${error.status}); not retried, as Togai throttles an IP after a few rejected keys. Put a valid key: ${PUT_API_KEY_HINT}`,
        );
      }
      if (error instanceof TogaiAuthenticationError) {
        throw new RotationError(
          `Togai rejected the pending token (HTTP ${error.status}); AWSCURRENT keeps the previous token`,
        );
      }
      throw error;
    }
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
  rotator ??= new TogaiTokenRotator(rotationConfigFromEnv(), { secrets: new LightSecretsClient() });
  await rotator.invoke(event, context);
}
