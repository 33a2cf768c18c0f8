import { STAGE } from "../contract";
import { TogaiRuntimeError } from "../togai/errors";
import { withRetry } from "../togai/retry";
import { type AwsCredentials, signRequest } from "./sigv4";

/** An error answer of the Secrets Manager API, by its AWS error name. */
export class SecretsManagerApiError extends TogaiRuntimeError {
  constructor(
    /** e.g. `ResourceNotFoundException`. */
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`Secrets Manager ${code}: ${message}`);
  }
}

export interface DescribeSecretOutput {
  readonly ARN?: string;
  readonly RotationEnabled?: boolean;
  readonly RotationLambdaARN?: string;
  readonly VersionIdsToStages?: Record<string, string[]>;
}

export interface LightSecretsClientOptions {
  /** @default AWS_REGION, then AWS_DEFAULT_REGION */
  readonly region?: string;
  /** @default AWS_ENDPOINT_URL_SECRETS_MANAGER, then AWS_ENDPOINT_URL, then the regional endpoint */
  readonly endpoint?: string;
  /** @default AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (as Lambda sets them) */
  readonly credentials?: AwsCredentials;
  /** Per-request timeout in ms. @default 10000 */
  readonly timeoutMs?: number;
}

const RETRYABLE_CODES = new Set([
  "ThrottlingException",
  "InternalServiceError",
  "ServiceUnavailable",
  "RequestTimeout",
]);

/**
 * The four Secrets Manager calls the rotation function makes, over Node's built-in fetch with
 * SigV4 signing: the function's bundle stays a few kilobytes and starts fast, where the AWS SDK
 * client would add a third of a megabyte. Throttling, 5xx and network errors are retried.
 */
export class LightSecretsClient {
  private readonly region: string;
  private readonly endpoint: URL;
  private readonly credentials: AwsCredentials;
  private readonly timeoutMs: number;

  constructor(options: LightSecretsClientOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new TogaiRuntimeError("No AWS region: set AWS_REGION (Lambda sets it)");
    this.region = region;
    const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    this.endpoint = new URL(
      options.endpoint ??
        env.AWS_ENDPOINT_URL_SECRETS_MANAGER ??
        env.AWS_ENDPOINT_URL ??
        `https://secretsmanager.${region}.${suffix}`,
    );
    const credentials =
      options.credentials ??
      (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            sessionToken: env.AWS_SESSION_TOKEN,
          }
        : undefined);
    if (!credentials) {
      throw new TogaiRuntimeError(
        "No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; Lambda sets them)",
      );
    }
    this.credentials = credentials;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  describeSecret(secretId: string): Promise<DescribeSecretOutput> {
    return this.call("DescribeSecret", { SecretId: secretId });
  }

  /** A version's string value, or undefined when that version has no value (ResourceNotFound). */
  async getSecretString(
    secretId: string,
    versionStage: string = STAGE.current,
    versionId?: string,
  ): Promise<string | undefined> {
    try {
      const out = await this.call<{ SecretString?: string }>("GetSecretValue", {
        SecretId: secretId,
        VersionStage: versionStage,
        VersionId: versionId,
      });
      return out.SecretString;
    } catch (error) {
      if (error instanceof SecretsManagerApiError && error.code === "ResourceNotFoundException")
        return undefined;
      throw error;
    }
  }

  async putSecretValue(input: {
    SecretId: string;
    ClientRequestToken: string;
    SecretString: string;
    VersionStages: string[];
  }): Promise<void> {
    await this.call("PutSecretValue", input);
  }

  async updateSecretVersionStage(input: {
    SecretId: string;
    VersionStage: string;
    MoveToVersionId?: string;
    RemoveFromVersionId?: string;
  }): Promise<void> {
    await this.call("UpdateSecretVersionStage", input);
  }

  /** Starts a rotation; returns the new version id that Secrets Manager staged AWSPENDING. */
  async rotateSecret(input: {
    SecretId: string;
    RotationLambdaARN?: string;
  }): Promise<string | undefined> {
    return (await this.call<{ VersionId?: string }>("RotateSecret", input)).VersionId;
  }

  private call<T>(operation: string, input: Record<string, unknown>): Promise<T> {
    return withRetry(() => this.send<T>(operation, input), {
      maxAttempts: 3,
      baseDelayMs: 100,
      retryable: (e) =>
        e instanceof SecretsManagerApiError
          ? e.status >= 500 || RETRYABLE_CODES.has(e.code)
          : !(e instanceof TogaiRuntimeError),
    });
  }

  private async send<T>(operation: string, input: Record<string, unknown>): Promise<T> {
    const body = JSON.stringify(input);
    const headers = signRequest(
      {
        url: this.endpoint,
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `secretsmanager.${operation}`,
        },
        body,
      },
      this.credentials,
      this.region,
      "secretsmanager",
    );
    const response = await fetch(this.endpoint, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const type = String(
        parsed.__type ?? response.headers.get("x-amzn-errortype") ?? `HTTP${response.status}`,
      );
      const code = type.split("#").pop()?.split(":")[0] ?? type;
      throw new SecretsManagerApiError(
        code,
        String(parsed.message ?? parsed.Message ?? "no message"),
        response.status,
      );
    }
    return parsed as T;
  }
}
