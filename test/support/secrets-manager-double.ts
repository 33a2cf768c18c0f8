/**
 * An in-memory Secrets Manager for the unit lane: the real AWS SDK client (its serializers,
 * error classes and retries), with the wire replaced by this model. It models the operations
 * the library and its tests call, as the corrected moto launcher does
 * (moto/corrected_moto_server.py, AWS's documented behaviour), and
 * test/aws/secrets-manager-double.int.test.ts runs the same random call sequences against both
 * so that the two cannot drift apart. The integration lane, on moto_server, stays the authority.
 *
 * Unlike moto it does not check that a rotation function exists: it has no Lambda.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const CURRENT = "AWSCURRENT";
const PENDING = "AWSPENDING";
const PREVIOUS = "AWSPREVIOUS";

interface Version {
  stages: string[];
  value?: string;
  /** SecretBinary, base64 as on the wire. */
  binary?: string;
  /** Epoch milliseconds, on the process clock (a simulated clock moves it too). */
  created: number;
}

/** Whether a version holds a value (a string or a binary one). */
const holdsData = (v: Version) => v.value !== undefined || v.binary !== undefined;

interface Secret {
  readonly arn: string;
  readonly name: string;
  readonly versions: Map<string, Version>;
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rotationRules?: Record<string, unknown>;
  /** Epoch milliseconds of the last RotateSecret that started a rotation (moto's LastRotatedDate). */
  lastRotated?: number;
  deleted?: number;
}

/** An AWS error answer: the SDK turns `type` into its exception class. */
export interface ServiceFault {
  readonly status: number;
  readonly type: string;
  readonly message?: string;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const operationOf = (target: string | undefined) => String(target).replace(/^secretsmanager\./, "");

/** Never resolves; rejects as the SDK's own handlers do when `signal` aborts. */
function abandoned(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) =>
    signal?.addEventListener("abort", () =>
      reject(Object.assign(new Error("Request aborted"), { name: "AbortError" })),
    ),
  );
}

function bodyText(body: unknown): string {
  if (body === undefined) return "{}";
  return body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body);
}

const notFound = () =>
  new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);
const markedDeleted = () =>
  new AwsError(
    "InvalidRequestException",
    "You tried to perform the operation on a secret that's currently marked deleted.",
  );

// biome-ignore lint/suspicious/noExplicitAny: AWS JSON requests are untyped on the wire.
type Json = Record<string, any>;

export class InMemorySecretsManager {
  private readonly secrets = new Map<string, Secret>();
  /** Every operation received, in order (after faults: a faulted call is listed too). */
  readonly calls: { operation: string; input: Json }[] = [];
  /**
   * Runs before an operation is answered: another caller's calls landing just before this one
   * (a race played deterministically). Calls it makes through a client of this model are
   * answered first.
   */
  before?: (operation: string, input: Json) => Promise<void> | void;
  /**
   * Leaves an operation unanswered until the caller aborts it (a read that hangs); the call is
   * not run and not listed in `calls`.
   */
  hang?: (operation: string) => boolean;
  /** Hung calls their caller aborted. */
  abortedCalls = 0;
  /** Answers an operation with an AWS error instead of running it (seeded or scripted faults). */
  fault?: (operation: string, input: Json) => ServiceFault | undefined;

  /**
   * A real SDK client of this model. `maxAttempts` 1 leaves retries to the caller: the SDK's
   * own back-off sleeps on real timers, which a simulated clock does not move.
   */
  client(options: { maxAttempts?: number } = {}): SecretsManagerClient {
    return new SecretsManagerClient({
      region: REGION,
      credentials: { accessKeyId: "unit", secretAccessKey: "unit" },
      maxAttempts: options.maxAttempts ?? 1,
      requestHandler: {
        handle: async (
          request: { headers: Record<string, string>; body?: unknown },
          options?: { abortSignal?: AbortSignal },
        ) => {
          const target = request.headers["x-amz-target"];
          const body = bodyText(request.body);
          await this.before?.(operationOf(target), JSON.parse(body));
          if (this.hang?.(operationOf(target))) {
            await abandoned(options?.abortSignal).catch((error: unknown) => {
              this.abortedCalls++;
              throw error;
            });
          }
          return { response: this.answer(target, body) };
        },
      },
    });
  }

  /** The number of calls of one operation so far. */
  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  private answer(target: string | undefined, body: string) {
    const operation = operationOf(target);
    const input = JSON.parse(body) as Json;
    this.calls.push({ operation, input });
    let status = 200;
    let payload: Json;
    try {
      const fault = this.fault?.(operation, input);
      if (fault) throw new AwsError(fault.type, fault.message ?? fault.type, fault.status);
      payload = this.run(operation, input);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      status = error.status;
      payload = { __type: error.type, message: error.message };
    }
    return {
      statusCode: status,
      headers: { "content-type": "application/x-amz-json-1.1" },
      body: Readable.from([Buffer.from(JSON.stringify(payload))]),
    };
  }

  private run(operation: string, input: Json): Json {
    switch (operation) {
      case "CreateSecret":
        return this.create(input);
      case "DescribeSecret":
        return this.describe(input);
      case "GetSecretValue":
        return this.get(input);
      case "PutSecretValue":
        return this.put(input);
      case "UpdateSecretVersionStage":
        return this.updateStage(input);
      case "RotateSecret":
        return this.rotate(input);
      case "DeleteSecret":
        return this.delete(input);
      case "CancelRotateSecret":
        return this.cancelRotation(input);
      default:
        throw new AwsError("UnknownOperationException", `${operation} is not modelled`);
    }
  }

  private find(id: string): Secret {
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.name === id);
    if (!secret) throw notFound();
    return secret;
  }

  /** A secret that may change: AWS refuses changes to one scheduled for deletion. */
  private changeable(id: string): Secret {
    const secret = this.find(id);
    if (secret.deleted !== undefined) {
      throw new AwsError(
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return secret;
  }

  private create(input: Json): Json {
    const name = String(input.Name);
    if ([...this.secrets.values()].some((s) => s.name === name)) {
      throw new AwsError(
        "ResourceExistsException",
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const suffix = randomUUID().replace(/-/g, "").slice(0, 6);
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${suffix}`;
    const secret: Secret = { arn, name, versions: new Map() };
    this.secrets.set(arn, secret);
    if (input.SecretString === undefined && input.SecretBinary === undefined) {
      return { ARN: arn, Name: name };
    }
    const versionId = input.ClientRequestToken ?? randomUUID();
    secret.versions.set(versionId, {
      stages: [CURRENT],
      value: input.SecretString,
      binary: input.SecretBinary,
      created: Date.now(),
    });
    return { ARN: arn, Name: name, VersionId: versionId };
  }

  private describe(input: Json): Json {
    const secret = this.find(input.SecretId);
    const labelled = [...secret.versions].filter(([, v]) => v.stages.length > 0);
    return {
      ARN: secret.arn,
      Name: secret.name,
      RotationEnabled: secret.rotationEnabled ?? false,
      RotationLambdaARN: secret.rotationLambdaArn,
      RotationRules: secret.rotationRules,
      LastRotatedDate: secret.lastRotated === undefined ? undefined : secret.lastRotated / 1000,
      DeletedDate: secret.deleted === undefined ? undefined : secret.deleted / 1000,
      VersionIdsToStages: Object.fromEntries(labelled.map(([id, v]) => [id, [...v.stages]])),
    };
  }

  private get(input: Json): Json {
    const secret = this.find(input.SecretId);
    const { VersionId: askedId, VersionStage: stage } = input;
    if (askedId && stage && secret.versions.get(askedId)?.stages.includes(stage) === false) {
      throw new AwsError(
        "InvalidRequestException",
        "You provided a VersionStage that is not associated to the provided VersionId.",
      );
    }
    let versionId: string | undefined = askedId;
    if (!versionId && stage) {
      versionId = this.holder(secret, stage);
      if (!versionId) throw notFound();
    }
    if (secret.deleted !== undefined) throw markedDeleted();
    versionId ??= this.holder(secret, CURRENT) ?? CURRENT;
    const version = secret.versions.get(versionId);
    if (!version) {
      const kind = askedId ? "VersionId" : "staging label";
      throw new AwsError(
        "ResourceNotFoundException",
        `Secrets Manager can't find the specified secret value for ${kind}: ${versionId}`,
      );
    }
    if (!holdsData(version)) {
      throw new AwsError(
        "ResourceNotFoundException",
        `Secrets Manager can't find the specified secret value for staging label: ${stage ?? CURRENT}`,
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: versionId,
      VersionStages: [...version.stages],
      CreatedDate: version.created / 1000,
      SecretString: version.value,
      SecretBinary: version.binary,
    };
  }

  private put(input: Json): Json {
    const secret = this.changeable(input.SecretId);
    const versionId: string = input.ClientRequestToken ?? randomUUID();
    const value: string | undefined = input.SecretString;
    const binary: string | undefined = input.SecretBinary;
    const existing = secret.versions.get(versionId);
    // A version's value never changes: the same value again is a no-op, another is refused. A
    // version id RotateSecret staged takes its value while it holds AWSPENDING, not after.
    if (existing && (holdsData(existing) || !existing.stages.includes(PENDING))) {
      if (existing.value !== value || existing.binary !== binary) {
        throw new AwsError(
          "ResourceExistsException",
          `You can't use ClientRequestToken ${versionId} because that value is already in use for a version of secret ${secret.arn}.`,
        );
      }
      return this.versionAnswer(secret, versionId);
    }
    const stages: string[] = [...(input.VersionStages ?? [CURRENT])];
    // "If this operation creates the first version for the secret, then Secrets Manager
    // automatically attaches the staging label AWSCURRENT to the new version."
    const hasValue = [...secret.versions.values()].some(holdsData);
    if (!hasValue && !this.holder(secret, CURRENT) && !stages.includes(CURRENT)) {
      stages.push(CURRENT);
    }
    if (stages.includes(CURRENT)) {
      for (const v of secret.versions.values()) v.stages = v.stages.filter((s) => s !== PREVIOUS);
      const current = this.holder(secret, CURRENT);
      if (current)
        secret.versions.set(current, { ...this.version(secret, current), stages: [PREVIOUS] });
    }
    for (const v of secret.versions.values())
      v.stages = v.stages.filter((s) => !stages.includes(s));
    secret.versions.set(versionId, { stages, value, binary, created: Date.now() });
    return this.versionAnswer(secret, versionId);
  }

  private updateStage(input: Json): Json {
    const secret = this.changeable(input.SecretId);
    const { VersionStage: stage, RemoveFromVersionId: from, MoveToVersionId: to } = input;
    // Every check comes before any change: a call that fails changes nothing.
    if (from) {
      const version = secret.versions.get(from);
      if (!version) throw invalidParameter(`Not a valid version: ${from}`);
      if (!version.stages.includes(stage)) {
        throw invalidParameter(`Version stage ${stage} not found in version ${from}`);
      }
    }
    if (to && !secret.versions.has(to)) throw invalidParameter(`Not a valid version: ${to}`);
    if (from) {
      const version = this.version(secret, from);
      version.stages = version.stages.filter((s) => s !== stage);
    } else if (stage === CURRENT && this.holder(secret, CURRENT)) {
      throw invalidParameter(
        `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${this.holder(secret, CURRENT)}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (to) this.version(secret, to).stages.push(stage);
    if (stage === CURRENT) {
      if (from) {
        for (const v of secret.versions.values()) {
          v.stages = v.stages.filter((s) => s !== PREVIOUS);
        }
        this.version(secret, from).stages.push(PREVIOUS);
      }
      if (to)
        this.version(secret, to).stages = this.version(secret, to).stages.filter(
          (s) => s !== PREVIOUS,
        );
    }
    return { ARN: secret.arn, Name: secret.name };
  }

  private rotate(input: Json): Json {
    const secret = this.find(input.SecretId);
    if (secret.deleted !== undefined) throw markedDeleted();
    for (const v of secret.versions.values()) {
      if (v.stages.includes(PENDING) && !v.stages.includes(CURRENT)) {
        throw new AwsError(
          "InvalidRequestException",
          "A previous rotation isn't complete. That rotation will be reattempted.",
        );
      }
    }
    const token: string | undefined = input.ClientRequestToken;
    if (token && secret.versions.has(token)) {
      throw new AwsError(
        "ResourceExistsException",
        `A version with the ClientRequestToken ${token} already exists.`,
      );
    }
    const lambdaArn = input.RotationLambdaARN ?? secret.rotationLambdaArn;
    if (!lambdaArn) {
      throw new AwsError(
        "InvalidRequestException",
        "No Lambda rotation function ARN is associated with this secret.",
      );
    }
    // Rules given are kept; none given keep the earlier ones, or are none ({}) at first.
    if (input.RotationRules) {
      const { AutomaticallyAfterDays, ScheduleExpression, Duration } = input.RotationRules;
      secret.rotationRules = JSON.parse(
        JSON.stringify({ AutomaticallyAfterDays, ScheduleExpression, Duration }),
      );
    } else {
      secret.rotationRules ??= {};
    }
    secret.rotationEnabled = true;
    secret.rotationLambdaArn = lambdaArn;
    if (input.RotateImmediately === false) {
      // Only the configuration is tested; moto names the current version, if any.
      return { ARN: secret.arn, Name: secret.name, VersionId: this.holder(secret, CURRENT) };
    }
    const versionId = token ?? randomUUID();
    for (const v of secret.versions.values()) v.stages = v.stages.filter((s) => s !== PENDING);
    secret.versions.set(versionId, { stages: [PENDING], created: Date.now() });
    // moto dates the rotation when it starts (whole seconds), not when it finishes.
    secret.lastRotated = Math.floor(Date.now() / 1000) * 1000;
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
  }

  private cancelRotation(input: Json): Json {
    const secret = this.find(input.SecretId);
    if (secret.deleted !== undefined) throw markedDeleted();
    if (!secret.rotationLambdaArn) {
      // AWS documents this message for CancelRotateSecret too (moto's spelling kept).
      throw new AwsError(
        "InvalidRequestException",
        "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configuredand you didn't include such an ARN as a parameter in this call.",
      );
    }
    secret.rotationEnabled = false;
    return { ARN: secret.arn, Name: secret.name };
  }

  private delete(input: Json): Json {
    // A deletion without recovery of a secret that is gone already succeeds, as on moto.
    if (input.ForceDeleteWithoutRecovery && !this.exists(input.SecretId)) {
      return { Name: input.SecretId, DeletionDate: Date.now() / 1000 };
    }
    const secret = this.find(input.SecretId);
    // Scheduled for deletion already: only a deletion without recovery goes through.
    if (secret.deleted !== undefined && !input.ForceDeleteWithoutRecovery) throw markedDeleted();
    if (input.ForceDeleteWithoutRecovery) this.secrets.delete(secret.arn);
    else secret.deleted = Date.now();
    return { ARN: secret.arn, Name: secret.name, DeletionDate: Date.now() / 1000 };
  }

  private exists(id: string): boolean {
    return this.secrets.has(id) || [...this.secrets.values()].some((s) => s.name === id);
  }

  private holder(secret: Secret, stage: string): string | undefined {
    return [...secret.versions].find(([, v]) => v.stages.includes(stage))?.[0];
  }

  private version(secret: Secret, id: string): Version {
    return secret.versions.get(id) as Version;
  }

  private versionAnswer(secret: Secret, versionId: string): Json {
    const stages = this.version(secret, versionId).stages;
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: [...stages] };
  }
}
