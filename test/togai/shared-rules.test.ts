/**
 * One home per rule: the base-URL rule, the package root and the token plausibility check are
 * each one module, and every caller goes through it (the constructs and the CLI for the base URL
 * and the package root; the rotation function and `status` for the token dates).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageVersion, unsafeBaseUrlReason } from "../../lib/cli/environment";
import { ROTATION_ZIP_RELATIVE_PATH } from "../../lib/constructs/rotation-asset";
import { packageRoot } from "../../lib/package-root";
import { checkTogaiBaseUrl } from "../../lib/togai/base-url";
import { TOGAI_CLOCK_SKEW_MS } from "../../lib/togai/togai-jwt";
import { hoursUntil, implausibleClaimsProblem } from "../../lib/togai/token-plausibility";

const ROOT = join(__dirname, "..", "..");
const read = (file: string) => readFileSync(join(ROOT, "lib", file), "utf8");

describe("the base-URL rule", () => {
  test.each([
    ["https://api.togai.com", undefined],
    ["http://127.0.0.1:4010", undefined],
    ["http://localhost:8080", undefined],
    ["http://[::1]:9000", undefined],
    ["api.togai.com", "not-absolute"],
    ["http://api.togai.com", "insecure"],
    ["http://127.0.0.2", "insecure"],
    // Plain http only to the loopback names the rule lists: not to every interface, nor to a
    // name that merely starts like one.
    ["http://0.0.0.0:4010", "insecure"],
    ["http://localhost.togai.example", "insecure"],
    ["ftp://localhost", "insecure"],
    ["https://api.togai.com/v1", "not-an-origin"],
    ["https://user:pw@api.togai.com", "not-an-origin"],
    ["https://api.togai.com/?x=1", "not-an-origin"],
  ])("%s: %s", (value, problem) => {
    expect(checkTogaiBaseUrl(value).problem).toBe(problem);
  });

  test("the CLI refuses what the rule calls insecure or relative, with its own sentence", () => {
    expect(unsafeBaseUrlReason("http://togai.internal")).toBe(
      "refusing to send the secret key to http://togai.internal: use https (plain http only to 127.0.0.1 or localhost)",
    );
    expect(unsafeBaseUrlReason("togai")).toContain("is not an absolute URL");
    expect(unsafeBaseUrlReason("https://api.togai.com")).toBeUndefined();
  });

  test("no caller keeps a copy of the loopback hosts", () => {
    expect(read("togai/base-url.ts")).toContain('"127.0.0.1", "localhost", "[::1]"');
    for (const caller of ["constructs/validation.ts", "cli/environment.ts"]) {
      expect(read(caller)).not.toContain("[::1]");
      expect(read(caller)).toContain("checkTogaiBaseUrl(");
    }
  });
});

describe("the package root", () => {
  test("is the folder of cdktf-togai's package.json; the CLI's version and the zip come from it", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(packageRoot()).toEqual({ dir: ROOT, version: manifest.version });
    expect(packageVersion()).toBe(manifest.version);
    expect(join(packageRoot().dir, ROTATION_ZIP_RELATIVE_PATH)).toBe(
      join(ROOT, "assets", "rotation-function.zip"),
    );
  });

  test("no caller walks up the folders itself", () => {
    for (const caller of ["constructs/rotation-asset.ts", "cli/environment.ts"]) {
      expect(read(caller)).not.toMatch(/dirname\(/);
      expect(read(caller)).toContain("packageRoot()");
    }
  });
});

describe("the token plausibility check", () => {
  const hours = (h: number) => new Date(Date.now() + h * 3_600_000);

  test("a fresh 24 h token is plausible; a future one or one living longer than 24 h is not", () => {
    expect(implausibleClaimsProblem(hours(0), hours(24))).toBeUndefined();
    // A Togai clock that leads by up to an hour still issues genuine tokens.
    expect(implausibleClaimsProblem(hours(0.9), hours(24.9))).toBeUndefined();
    expect(implausibleClaimsProblem(hours(1.1), hours(25.1))).toMatch(
      /^its token claims to be issued in the future \(/,
    );
    expect(implausibleClaimsProblem(hours(-1), hours(24 * 365))).toMatch(
      /^its token claims to live 8761\.0 h, longer than Togai's 24 h$/,
    );
    expect(hoursUntil(hours(2).toISOString())).toBeCloseTo(2, 3);
  });

  test("a lifetime is allowed Togai's clock skew past 24 h, and not a minute more", () => {
    const skewHours = TOGAI_CLOCK_SKEW_MS / 3_600_000;
    const minute = 1 / 60;
    expect(implausibleClaimsProblem(hours(-1), hours(23 + skewHours - minute))).toBeUndefined();
    expect(implausibleClaimsProblem(hours(-1), hours(23 + skewHours + minute))).toMatch(
      /^its token claims to live 24\.3 h, longer than Togai's 24 h$/,
    );
  });

  test("the rotation function and status both use it, and neither keeps its own", () => {
    expect(read("cli/status.ts")).toContain("implausibleClaimsProblem(");
    expect(read("cli/status.ts")).not.toContain("TOGAI_CLOCK_SKEW_MS");
    expect(read("function/token-checks.ts")).toContain('from "../togai/token-plausibility"');
    expect(read("function/token-checks.ts")).not.toContain("TOKEN_LIFETIME_HOURS");
  });
});
