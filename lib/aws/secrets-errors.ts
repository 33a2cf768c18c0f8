import { TogaiRuntimeError } from "../togai/errors";

/**
 * A Secrets Manager call failed after the AWS SDK's own retries (throttling, 5xx and network
 * errors are retried by the SDK). The message is short: the operation, AWS's error name, the
 * HTTP status, and AWS's message cut to a line; a body that was not AWS JSON (an HTML outage or
 * proxy page) is named as such, never dumped.
 */
export class SecretsManagerCallError extends TogaiRuntimeError {
  override readonly name: string = "SecretsManagerCallError";
  constructor(
    message: string,
    /** The API operation, e.g. `PutSecretValue`. */
    readonly operation: string,
    /** AWS's error name, e.g. `ThrottlingException`; `NonJsonResponse` for an unparsable body. */
    readonly code: string,
    /** HTTP status of the last attempt, when there was an answer. */
    readonly status?: number,
  ) {
    super(message);
  }
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Maps whatever the SDK threw for `operation` to a short, typed error. */
export function secretsManagerErrorFor(operation: string, error: unknown): SecretsManagerCallError {
  if (error instanceof SecretsManagerCallError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const tried = attempts && attempts > 1 ? ` after ${attempts} attempts` : "";
  const httpPart = status ? ` (HTTP ${status})` : "";
  if (e.name === "SyntaxError") {
    return new SecretsManagerCallError(
      `Secrets Manager ${operation} answered${httpPart} with a body that is not AWS JSON (an outage or proxy page?)${tried}`,
      operation,
      "NonJsonResponse",
      status,
    );
  }
  const code = e.name && e.name !== "Error" ? e.name : "UnknownError";
  const firstLine = (e.message ?? "").split("\n")[0].slice(0, 200);
  return new SecretsManagerCallError(
    `Secrets Manager ${operation} failed: ${code}${httpPart}${firstLine ? `: ${firstLine}` : ""}${tried}`,
    operation,
    code,
    status,
  );
}

/** Runs one SDK call; any failure becomes a {@link SecretsManagerCallError}. */
export async function callSecretsManager<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw secretsManagerErrorFor(operation, error);
  }
}
