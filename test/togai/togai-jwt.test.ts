import { gzipSync } from "node:zlib";
import { InvalidTogaiTokenError } from "../../lib/togai/errors";
import { decodeTogaiToken, remainingLifeMs } from "../../lib/togai/togai-jwt";
import { TogaiStandIn } from "../support/togai-standin";

const b64 = (v: unknown, gzip = false) => {
  const raw = Buffer.from(typeof v === "string" ? v : JSON.stringify(v));
  return (gzip ? gzipSync(raw) : raw).toString("base64url");
};
const jwt = (header: unknown, payload: unknown, gzip = true) =>
  `${b64(header)}.${b64(payload, gzip)}.c2ln`;

describe("decodeTogaiToken", () => {
  test("reads a Togai token: GZIP-compressed payload, iat/exp in epoch seconds", () => {
    const token = new TogaiStandIn().mintToken(1_800_000_000);
    const claims = decodeTogaiToken(token);
    expect(claims.issuedAt.toISOString()).toBe(new Date(1_800_000_000_000).toISOString());
    expect(claims.expiresAt.getTime() - claims.issuedAt.getTime()).toBe(86_400_000);
    expect(claims.org).toBe("standin01x");
    expect(claims.iss).toBe("https://iam.hypto.com");
    expect(remainingLifeMs(claims, 1_800_000_000_000)).toBe(86_400_000);
  });

  test("also reads a plain (uncompressed) JWT payload", () => {
    const claims = decodeTogaiToken(jwt({ alg: "ES256" }, { iat: 10, exp: 20 }, false));
    expect(claims.expiresAt.getTime()).toBe(20_000);
    expect(claims.org).toBeUndefined();
  });

  const SECRET_LOOKING = "sk_live_abcdef123456";
  test.each([
    ["empty", "", "the token is empty"],
    ["not a JWT", SECRET_LOOKING, "the token is not a JWT"],
    ["bad header JSON", `${b64("{nope")}.${b64({}, true)}.c2ln`, "the token's header is not JSON"],
    ["array header", jwt([1], { iat: 1, exp: 2 }), "the token's header is not a JSON object"],
    ["unknown zip", jwt({ zip: "DEF" }, { iat: 1, exp: 2 }), 'unknown compression "DEF"'],
    ["says GZIP, is not", jwt({ zip: "GZIP" }, { iat: 1, exp: 2 }, false), "is not GZIP data"],
    ["no exp", jwt({ zip: "GZIP" }, { iat: 1 }), 'the token has no numeric "exp" claim'],
    ["exp before iat", jwt({ zip: "GZIP" }, { iat: 5, exp: 2 }), "expires before it was issued"],
  ])("refuses %s without quoting the token", (_name, token, message) => {
    let error: Error | undefined;
    try {
      decodeTogaiToken(token);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(InvalidTogaiTokenError);
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain(SECRET_LOOKING);
  });
});
