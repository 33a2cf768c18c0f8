/**
 * authenticate and postToTogai against the in-process Togai stand-in (loopback HTTP) and scripted
 * transports: each HTTP answer becomes its typed error, the credential goes only into the
 * Authorization header, and no error carries it. authenticate itself sends once: retrying is its
 * callers' business (lib/togai/retry.ts).
 */
import {
  InvalidCredentialError,
  TogaiApiError,
  TogaiAuthenticationError,
  TogaiNetworkError,
  TogaiRateLimitError,
  TogaiResponseError,
  TogaiRuntimeError,
  TogaiServerError,
} from "../../lib/togai/errors";
import {
  authenticate,
  JsonText,
  postToTogai,
  type TogaiTransport,
  togaiErrorFor,
} from "../../lib/togai/togai-api";
import { freePort } from "../support/free-port";
import { type TogaiStandIn, useTogaiStandIn } from "../support/togai-standin";

const KEY = "togai-api-unit-key-5f2c8e1a7b3d9046";

const standIn = useTogaiStandIn({
  secretKeys: [KEY],
  rateLimits: false,
  unauthenticatedLimit: 1000,
});
let togai: TogaiStandIn;
beforeAll(() => {
  togai = standIn.togai;
});

/** The error `promise` rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  if (!outcome) throw new Error("expected a failure, got a success");
  return outcome;
}

/** A transport that answers `answer` and records what it was asked to send. */
function scripted(answer: Awaited<ReturnType<TogaiTransport>>) {
  const sent: Parameters<TogaiTransport>[] = [];
  const transport: TogaiTransport = async (...args) => {
    sent.push(args);
    return answer;
  };
  return { transport, sent };
}

describe("authenticate", () => {
  test("a secret key: Togai's new token, one request", async () => {
    const before = togai.calls.authenticate;
    const token = await authenticate(togai.baseUrl, KEY);
    expect(token).toBe(togai.issuedTokens.at(-1));
    expect(togai.calls.authenticate - before).toBe(1);
  });

  test("a base URL with a trailing slash reaches the same /authenticate", async () => {
    const token = await authenticate(`${togai.baseUrl}/`, KEY);
    expect(token).toBe(togai.issuedTokens.at(-1));
  });

  test("401: TogaiAuthenticationError with Togai's message, never the key, sent once", async () => {
    const before = togai.calls.authenticate;
    const wrong = "togai-api-unit-wrong-key-00000000";

    const error = await failure(authenticate(togai.baseUrl, wrong));

    expect(error).toBeInstanceOf(TogaiAuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      path: "/authenticate",
      togaiMessage: "Invalid credentials",
    });
    expect(error.message).toBe(
      "Togai refused to issue a token: Togai /authenticate answered HTTP 401: Invalid credentials",
    );
    expect(error.message).not.toContain(wrong);
    expect(togai.calls.authenticate - before).toBe(1);
  });

  test("403: TogaiAuthenticationError too", async () => {
    togai.inject({ path: "/authenticate", kind: "status", status: 403 });
    const error = await failure(authenticate(togai.baseUrl, KEY));
    expect(error).toBeInstanceOf(TogaiAuthenticationError);
    expect((error as TogaiApiError).status).toBe(403);
  });

  test.each([
    ["seconds", "7", 7000],
    ["absent", undefined, undefined],
    ["unreadable", "soon", undefined],
  ])("429 with Retry-After %s: TogaiRateLimitError with that wait", async (_, header, waitMs) => {
    togai.inject({ path: "/authenticate", kind: "status", status: 429, retryAfter: header });
    const error = await failure(authenticate(togai.baseUrl, KEY));
    expect(error).toBeInstanceOf(TogaiRateLimitError);
    expect((error as TogaiRateLimitError).retryAfterMs).toBe(waitMs);
  });

  test("429 with Retry-After as an HTTP date: the wait until then, never negative", async () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    togai.inject({ path: "/authenticate", kind: "status", status: 429, retryAfter: inAMinute });
    const later = (await failure(authenticate(togai.baseUrl, KEY))) as TogaiRateLimitError;
    // An HTTP date has whole seconds: the wait lies within the minute asked for.
    expect(later.retryAfterMs).toBeGreaterThan(50_000);
    expect(later.retryAfterMs).toBeLessThanOrEqual(60_000);

    const past = new Date(Date.now() - 60_000).toUTCString();
    togai.inject({ path: "/authenticate", kind: "status", status: 429, retryAfter: past });
    const now = (await failure(authenticate(togai.baseUrl, KEY))) as TogaiRateLimitError;
    expect(now.retryAfterMs).toBe(0);
  });

  test.each([500, 502, 503])("%i: TogaiServerError, sent once", async (status) => {
    const before = togai.calls.authenticate;
    togai.inject({ path: "/authenticate", kind: "status", status });
    const error = await failure(authenticate(togai.baseUrl, KEY));
    expect(error).toBeInstanceOf(TogaiServerError);
    expect(error.message).toBe(
      `Togai refused to issue a token: Togai /authenticate answered HTTP ${status}: Injected HTTP ${status}`,
    );
    expect(togai.calls.authenticate - before).toBe(1);
  });

  test("an HTML error page: named as not JSON, its text left out", async () => {
    togai.inject({
      path: "/authenticate",
      kind: "status",
      status: 502,
      body: "<html><body>Bad gateway</body></html>",
    });
    const error = await failure(authenticate(togai.baseUrl, KEY));
    expect(error).toBeInstanceOf(TogaiServerError);
    expect(error.message).toBe(
      "Togai refused to issue a token: Togai /authenticate answered HTTP 502 with a body that is not JSON",
    );
  });

  test("another 4xx: the base TogaiApiError (neither retried nor an authentication failure)", async () => {
    togai.inject({ path: "/authenticate", kind: "status", status: 400, body: "" });
    const error = await failure(authenticate(togai.baseUrl, KEY));
    expect(error.constructor).toBe(TogaiApiError);
    expect(error.message).toBe(
      "Togai refused to issue a token: Togai /authenticate answered HTTP 400",
    );
  });

  test("200 without a token: TogaiResponseError", async () => {
    togai.inject({ path: "/authenticate", kind: "no-token" });
    const error = await failure(authenticate(togai.baseUrl, KEY));
    expect(error).toBeInstanceOf(TogaiResponseError);
    expect(error.message).toBe(
      'Togai /authenticate answered HTTP 200 without a "token" string in its body',
    );
  });

  test("a proxy that echoes the key in its error: the key is replaced, in the text and in JSON escapes", async () => {
    togai.inject({
      path: "/authenticate",
      kind: "status",
      status: 401,
      body: JSON.stringify({ message: `bad credential ${KEY}` }),
    });
    const plain = await failure(authenticate(togai.baseUrl, KEY));
    expect(plain.message).toContain("bad credential [credential]");
    expect(plain.message).not.toContain(KEY);

    // "\u0074" is "t": the raw text does not contain the key, the parsed message does.
    const escaped = `{"message":"bad credential \\u00${KEY.charCodeAt(0).toString(16)}${KEY.slice(1)}"}`;
    expect(escaped).not.toContain(KEY);
    togai.inject({ path: "/authenticate", kind: "status", status: 401, body: escaped });
    const hidden = (await failure(authenticate(togai.baseUrl, KEY))) as TogaiApiError;
    expect(hidden.togaiMessage).toBe("bad credential [credential]");
    expect(hidden.message).not.toContain(KEY);
  });

  test("a key that cannot be a bearer header: refused before anything is sent", async () => {
    const before = togai.calls.authenticate;
    const pasted = `${KEY}\nsecond line`;
    const error = await failure(authenticate(togai.baseUrl, pasted));
    expect(error).toBeInstanceOf(InvalidCredentialError);
    expect(error.message).toBe(
      "The credential for Togai /authenticate cannot be sent as a bearer token: it contains whitespace or a line break; nothing was sent",
    );
    expect(togai.calls.authenticate).toBe(before);
  });
});

describe("postToTogai over the network", () => {
  test("no answer within the timeout: TogaiNetworkError naming the wait", async () => {
    togai.inject({ path: "/authenticate", kind: "slow", delayMs: 2_000 });
    const error = await failure(authenticate(togai.baseUrl, KEY, { timeoutMs: 50 }));
    expect(error).toBeInstanceOf(TogaiNetworkError);
    expect(error.message).toBe(
      `Togai /authenticate at ${togai.baseUrl} did not answer within 50 ms`,
    );
  });

  test("connection refused: TogaiNetworkError with the cause's code", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const error = await failure(authenticate(closed, KEY));
    expect(error).toBeInstanceOf(TogaiNetworkError);
    expect(error.message).toBe(
      `Togai /authenticate could not be reached at ${closed} (ECONNREFUSED)`,
    );
  });

  test("connection reset: TogaiNetworkError", async () => {
    togai.inject({ path: "/authenticate", kind: "reset" });
    const error = await failure(authenticate(togai.baseUrl, KEY));
    expect(error).toBeInstanceOf(TogaiNetworkError);
    expect(error.message).toMatch(
      /^Togai \/authenticate could not be reached at http:\/\/127\.0\.0\.1:\d+ \(\S+\)$/,
    );
    expect(error.message).not.toContain(KEY);
  });

  test("aborted by the caller: the caller's abort error itself", async () => {
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    const error = await failure(authenticate(togai.baseUrl, KEY, { signal: controller.signal }));
    expect(error.message).toBe("shutting down");
    expect(error).not.toBeInstanceOf(TogaiRuntimeError);
  });
});

describe("postToTogai with a scripted transport", () => {
  test("the credential goes only into the Authorization header; a payload is sent as JSON", async () => {
    const { transport, sent } = scripted({ status: 202, text: '{"success":true}' });

    const answer = await postToTogai(
      "https://api.togai.com",
      "/ingest",
      KEY,
      { a: 1 },
      {
        transport,
      },
    );

    expect(answer).toEqual({ status: 202, body: { success: true }, retryAfter: undefined });
    const [url, init] = sent[0];
    expect(url.href).toBe("https://api.togai.com/ingest");
    expect(init).toMatchObject({
      method: "POST",
      timeoutMs: 10_000,
      body: '{"a":1}',
      headers: {
        authorization: `Bearer ${KEY}`,
        accept: "application/json",
        "content-type": "application/json",
      },
    });
    expect(JSON.stringify({ ...init, headers: undefined }) + url.href).not.toContain(KEY);
  });

  test("JsonText is sent as is; no payload sends no body and no content-type", async () => {
    const { transport, sent } = scripted({ status: 200, text: "" });
    await postToTogai("https://api.togai.com", "/ingest", KEY, new JsonText('{"pre":"made"}'), {
      transport,
    });
    expect(sent[0][1].body).toBe('{"pre":"made"}');

    const answer = await postToTogai("https://api.togai.com", "/x", KEY, undefined, { transport });
    expect(sent[1][1].body).toBeUndefined();
    expect(sent[1][1].headers["content-type"]).toBeUndefined();
    expect(answer.body).toBeUndefined(); // an empty body is no body, not a parse failure
    expect(answer.nonJsonBody).toBeUndefined();
  });

  test("a success is returned untouched, even when it holds the credential (/authenticate with a token)", async () => {
    const { transport } = scripted({ status: 200, text: JSON.stringify({ token: KEY }) });
    const answer = await postToTogai("https://api.togai.com", "/authenticate", KEY, undefined, {
      transport,
    });
    expect(answer.body).toEqual({ token: KEY });
  });

  test("Retry-After is passed on with the answer", async () => {
    const { transport } = scripted({ status: 429, text: "{}", retryAfter: "3" });
    const answer = await postToTogai("https://api.togai.com", "/x", KEY, undefined, { transport });
    expect(answer.retryAfter).toBe("3");
  });

  test("a transport that refuses the request (not the network): TogaiRuntimeError naming only the error's kind", async () => {
    const transport: TogaiTransport = async () => {
      throw new TypeError(`invalid header value Bearer ${KEY}`);
    };
    const error = await failure(postToTogai("https://api.togai.com", "/x", KEY, {}, { transport }));
    expect(error.constructor).toBe(TogaiRuntimeError);
    expect(error.message).toBe("Togai /x: the request could not be sent (TypeError)");
  });

  test.each([
    ["an error code", Object.assign(new Error("x"), { code: "ECONNRESET" }), "ECONNRESET"],
    ["an undici code", Object.assign(new Error("x"), { code: "UND_ERR_SOCKET" }), "UND_ERR_SOCKET"],
    [
      "fetch's own reason, without a code",
      Object.assign(new TypeError("fetch failed"), { cause: new Error("bad port") }),
      "bad port",
    ],
    ["fetch failed, no cause", new TypeError("fetch failed"), "TypeError"],
    [
      "an abort (not the caller's)",
      Object.assign(new Error("x"), { name: "AbortError" }),
      "AbortError",
    ],
  ])("a network failure with %s: TogaiNetworkError saying why", async (_, thrown, why) => {
    const transport: TogaiTransport = async () => {
      throw thrown;
    };
    const error = await failure(postToTogai("https://api.togai.com", "/x", KEY, {}, { transport }));
    expect(error).toBeInstanceOf(TogaiNetworkError);
    expect(error.message).toBe(`Togai /x could not be reached at https://api.togai.com (${why})`);
  });
});

describe("togaiErrorFor", () => {
  test("Togai's message is kept to 500 characters; an empty or non-string message is none", () => {
    const long = togaiErrorFor({ status: 500, body: { message: "m".repeat(600) } }, "/x", "ctx");
    expect(long.togaiMessage).toBe("m".repeat(500));
    expect(togaiErrorFor({ status: 500, body: { message: "" } }, "/x", "ctx").message).toBe(
      "ctx: Togai /x answered HTTP 500",
    );
    expect(togaiErrorFor({ status: 500, body: { message: 7 } }, "/x", "ctx").togaiMessage).toBe(
      undefined,
    );
  });
});
