/**
 * Only the network is worth a retry: a credential that cannot be a bearer header value is
 * refused before any request, and a failure that is not the network is not retryable.
 */
import { bearerCredentialProblem } from "../../lib/togai/credential";
import { InvalidCredentialError, isRetryable, TogaiNetworkError } from "../../lib/togai/errors";
import { authenticate, type TogaiTransport } from "../../lib/togai/togai-api";

describe("bearerCredentialProblem", () => {
  test.each([
    ["", "it is empty"],
    ["a b", "it contains whitespace or a line break"],
    ["a\nb", "it contains whitespace or a line break"],
    ["kéy", "it contains characters outside printable ASCII"],
    ['{"key":"abc"}', "it is a JSON object, not the bare key"],
    ['"togai-secret-key-0123"', "it is a JSON string in quotes, not the bare key"],
    ['["togai-secret-key-0123"]', "it is a JSON array, not the bare key"],
  ])("%j is refused: %s", (credential, problem) => {
    expect(bearerCredentialProblem(credential)).toBe(problem);
  });

  test.each([
    "togai-secret-key-0123",
    "eyJhbGciOiJFUzI1NiJ9.e30.sig",
    "{not-json",
    '"unclosed',
    "[x",
  ])("%j is a possible bearer value", (credential) => {
    expect(bearerCredentialProblem(credential)).toBeUndefined();
  });
});

describe("authenticate", () => {
  test("a bad credential never reaches the transport and is not retryable", async () => {
    const transport = jest.fn<ReturnType<TogaiTransport>, Parameters<TogaiTransport>>();
    const call = authenticate("http://127.0.0.1:9", "bad key", { transport });
    await expect(call).rejects.toBeInstanceOf(InvalidCredentialError);
    await expect(call).rejects.toThrow(
      "The credential for Togai /authenticate cannot be sent as a bearer token: it contains whitespace or a line break; nothing was sent",
    );
    expect(transport).not.toHaveBeenCalled();
    expect(isRetryable(await call.catch((e) => e))).toBe(false);
  });

  test("a transport failure that is not the network is not retryable", async () => {
    const transport: TogaiTransport = async () => {
      throw new TypeError("Headers.append: invalid header value");
    };
    const error = await authenticate("http://127.0.0.1:9", "key", { transport }).catch((e) => e);
    expect(error).not.toBeInstanceOf(TogaiNetworkError);
    expect(error.message).toBe("Togai /authenticate: the request could not be sent (TypeError)");
    expect(isRetryable(error)).toBe(false);
  });

  test.each([
    [
      "refused connection",
      Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
    ],
    [
      "timeout",
      Object.assign(new Error("The operation was aborted due to timeout"), {
        name: "TimeoutError",
      }),
    ],
    ["socket error", Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })],
  ])("a %s is a retryable TogaiNetworkError", async (_, thrown) => {
    const transport: TogaiTransport = async () => {
      throw thrown;
    };
    const error = await authenticate("http://127.0.0.1:9", "key", { transport }).catch((e) => e);
    expect(error).toBeInstanceOf(TogaiNetworkError);
    expect(isRetryable(error)).toBe(true);
  });
});
