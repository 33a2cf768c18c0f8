import { bearerCredentialProblem } from "./credential";
import {
  InvalidCredentialError,
  TogaiApiError,
  TogaiAuthenticationError,
  TogaiNetworkError,
  TogaiRateLimitError,
  TogaiResponseError,
  TogaiRuntimeError,
  TogaiServerError,
} from "./errors";
import { parseRetryAfter } from "./retry-after";

/** Sends one HTTP request; resolves to the status and body text. */
export type TogaiTransport = (
  url: URL,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
    timeoutMs: number;
  },
) => Promise<{ status: number; text: string; retryAfter?: string }>;

/**
 * Node's built-in fetch (itself undici): no dependency to bundle, which keeps the rotation
 * function small. The ingest client passes a keep-alive undici Pool instead.
 */
const fetchTransport: TogaiTransport = async (url, init) => {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  const response = await fetch(url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
    signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
  });
  return {
    status: response.status,
    text: await response.text(),
    retryAfter: response.headers.get("retry-after") ?? undefined,
  };
};

/** A request body already serialized (sent as is, not serialized again). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Options of one HTTP call to Togai. */
export interface TogaiCallOptions {
  /** How the request is sent. @default fetchTransport */
  readonly transport?: TogaiTransport;
  /** Aborts the request. */
  readonly signal?: AbortSignal;
  /** Timeout of the whole request, in ms. @default 10000 */
  readonly timeoutMs?: number;
}

/** A Togai answer: status and parsed JSON body (undefined when the body was not JSON). */
export interface TogaiResponse {
  readonly status: number;
  readonly body: unknown;
  /** True when the body was not empty and not JSON (an HTML error page from a proxy...). */
  readonly nonJsonBody?: boolean;
  /** The `Retry-After` header as sent (seconds or an HTTP date), when there was one. */
  readonly retryAfter?: string;
}

/** Reads Togai's `{"message"}` defensively: a 401 may come with an empty or non-JSON body. */
function togaiMessageOf(body: unknown): string | undefined {
  if (body && typeof body === "object" && "message" in body) {
    const message = (body as { message: unknown }).message;
    if (typeof message === "string" && message.length > 0) return message.slice(0, 500);
  }
  return undefined;
}

/** Maps a non-2xx answer to the typed error callers branch on. */
export function togaiErrorFor(
  response: TogaiResponse,
  path: string,
  context: string,
): TogaiApiError {
  const togaiMessage = togaiMessageOf(response.body);
  const detail = togaiMessage
    ? `: ${togaiMessage}`
    : response.nonJsonBody
      ? " with a body that is not JSON"
      : "";
  const { status } = response;
  const message = `${context}: Togai ${path} answered HTTP ${status}${detail}`;
  if (status === 401 || status === 403) {
    return new TogaiAuthenticationError(message, status, path, togaiMessage);
  }
  if (status === 429) {
    const error = new TogaiRateLimitError(message, status, path, togaiMessage);
    error.retryAfterMs = parseRetryAfter(response.retryAfter, Date.now());
    return error;
  }
  if (status >= 500) return new TogaiServerError(message, status, path, togaiMessage);
  return new TogaiApiError(message, status, path, togaiMessage);
}

/**
 * POSTs to Togai with `Authorization: Bearer <credential>`. The credential only ever goes into
 * that header: it is not logged, and network errors are rewrapped without the request options.
 */
export async function postToTogai(
  baseUrl: string,
  path: string,
  credential: string,
  payload: unknown,
  options: TogaiCallOptions = {},
): Promise<TogaiResponse> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const transport = options.transport ?? fetchTransport;
  const problem = bearerCredentialProblem(credential);
  if (problem) {
    throw new InvalidCredentialError(
      `The credential for Togai ${url.pathname} cannot be sent as a bearer token: ${problem}; nothing was sent`,
    );
  }
  try {
    const response = await transport(url, {
      method: "POST",
      signal: options.signal,
      timeoutMs,
      headers: {
        authorization: `Bearer ${credential}`,
        accept: "application/json",
        ...(payload === undefined ? {} : { "content-type": "application/json" }),
      },
      body:
        payload === undefined
          ? undefined
          : payload instanceof JsonText
            ? payload.text
            : JSON.stringify(payload),
    });
    // Togai's error messages never echo the credential; a proxy or WAF in front of it might, and
    // the message ends up in errors and logs. A success is left alone: /authenticate called with
    // a token answers that same token.
    const failed = response.status < 200 || response.status > 299;
    const text = failed ? withoutCredential(response.text, credential) : response.text;
    let body: unknown;
    try {
      const parsed: unknown = text.length > 0 ? JSON.parse(text) : undefined;
      body = failed ? redactMessage(parsed, credential) : parsed;
    } catch {
      return {
        status: response.status,
        body: undefined,
        nonJsonBody: true,
        retryAfter: response.retryAfter,
      };
    }
    return { status: response.status, body, retryAfter: response.retryAfter };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (!isNetworkFailure(error)) {
      // Not the network (e.g. the HTTP client refused a header): retrying cannot help.
      throw new TogaiRuntimeError(
        `Togai ${url.pathname}: the request could not be sent (${(error as Error).name})`,
      );
    }
    if ((error as Error).name === "TimeoutError") {
      throw new TogaiNetworkError(
        `Togai ${url.pathname} at ${url.origin} did not answer within ${timeoutMs} ms`,
      );
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    // The cause says why (ECONNREFUSED, or fetch's own "bad port" for ports it never dials);
    // it names the host and port only, never a header.
    const code =
      cause?.code ??
      (error as { code?: string }).code ??
      cause?.message?.slice(0, 100) ??
      (error as Error).name;
    throw new TogaiNetworkError(
      `Togai ${url.pathname} could not be reached at ${url.origin} (${code})`,
    );
  }
}

const REDACTED = "[credential]";

function withoutCredential(text: string, credential: string): string {
  return text.includes(credential) ? text.split(credential).join(REDACTED) : text;
}

/** JSON escapes can spell the credential in the raw text without matching it: check the value. */
function redactMessage(body: unknown, credential: string): unknown {
  const message = togaiMessageOf(body);
  if (message === undefined || !(body as { message: string }).message.includes(credential)) {
    return body;
  }
  return {
    ...(body as object),
    message: withoutCredential((body as { message: string }).message, credential),
  };
}

/** Connection refused/reset, DNS, TLS, timeouts: failures a later attempt may not meet. */
function isNetworkFailure(error: unknown): boolean {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  return (
    e?.name === "TimeoutError" ||
    e?.name === "AbortError" ||
    e?.message === "fetch failed" ||
    typeof e?.cause?.code === "string" ||
    (typeof e?.code === "string" && /^(E[A-Z]+|UND_ERR_)/.test(e.code))
  );
}

/**
 * `POST /authenticate`. With a secret key Togai mints a new 24-hour token; with a token it
 * returns that same token (a cheap, side-effect-free check that a token is accepted).
 */
export async function authenticate(
  baseUrl: string,
  credential: string,
  options: TogaiCallOptions = {},
): Promise<string> {
  const response = await postToTogai(baseUrl, "/authenticate", credential, undefined, options);
  if (response.status !== 200) {
    throw togaiErrorFor(response, "/authenticate", "Togai refused to issue a token");
  }
  const token = (response.body as { token?: unknown } | undefined)?.token;
  if (typeof token !== "string" || token.length === 0) {
    throw new TogaiResponseError(
      'Togai /authenticate answered HTTP 200 without a "token" string in its body',
    );
  }
  return token;
}
