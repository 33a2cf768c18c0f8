/**
 * `cdktf-togai put-api-key` in-process, against the in-memory Secrets Manager and the Togai
 * stand-in on loopback: the key is read from stdin (a pipe or a terminal with echo off) or
 * --file, checked with Togai, stored, and never printed; each failure says what to do and
 * stores nothing. The same against moto_server and the built bin: cli.int.test.ts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import {
  GetSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { EXIT } from "../../lib/cli/cli";
import type { CliIo } from "../../lib/cli/common";
import {
  createSecret,
  putToken,
  ROTATION_FUNCTION_ARN,
  tokenSecretWithRotation,
} from "../support/aws-fixtures";
import { leakedSecrets } from "../support/capture-output";
import { type CliRunOptions, runCliInProcess } from "../support/cli-in-process";
import { InMemorySecretsManager } from "../support/secrets-manager-double";
import { type TogaiStandIn, useTogaiStandIn } from "../support/togai-standin";

const GOOD_KEY = "togai-put-unit-key-1b2c3d4e5f6a7b8c";
const BAD_KEY = "togai-put-unit-revoked-0f1e2d3c4b5a";

let togai: TogaiStandIn;
let double: InMemorySecretsManager;
let secrets: SecretsManagerClient;
/** Everything any run printed: searched for keys and tokens once all tests ran. */
let printed = "";

const standIn = useTogaiStandIn({
  secretKeys: [GOOD_KEY],
  rateLimits: false,
  unauthenticatedLimit: 1000,
});
beforeAll(() => {
  togai = standIn.togai;
});

afterAll(() => {
  expect(leakedSecrets(printed, [GOOD_KEY, BAD_KEY, ...togai.issuedTokens])).toEqual([]);
});

beforeEach(() => {
  double = new InMemorySecretsManager();
  secrets = double.client();
});

afterEach(() => {
  jest.restoreAllMocks();
});

async function cli(args: string[], options: CliRunOptions = {}) {
  const run = await runCliInProcess(["put-api-key", ...args], { secrets, ...options });
  printed += run.out + run.err;
  return run;
}

const current = async (id: string) =>
  (await secrets.send(new GetSecretValueCommand({ SecretId: id, VersionStage: "AWSCURRENT" })))
    .SecretString;

const keyFile = (content: string) => {
  const file = join(mkdtempSync(join(tmpdir(), "togai-put-")), "key.txt");
  writeFileSync(file, content);
  return file;
};

/** A stand-in for a terminal: isTTY, raw mode recorded; the test types into it. */
function terminal(rawMode = true) {
  const stream = new PassThrough() as PassThrough & Pick<CliIo["stdin"], "isTTY" | "setRawMode">;
  const modes: boolean[] = [];
  stream.isTTY = true;
  if (rawMode) {
    stream.setRawMode = (mode: boolean) => {
      modes.push(mode);
      return stream;
    };
  }
  return { stream, modes };
}

describe("a good key", () => {
  test("from a pipe: checked with Togai once, stored as AWSCURRENT, never printed", async () => {
    const arn = await createSecret(secrets, "key", "old-key-value");
    const before = togai.calls.authenticate;

    const { code, out, err } = await cli(["--secret-id", arn, "--api-base-url", togai.baseUrl], {
      stdin: `  ${GOOD_KEY}\n`,
    });

    expect(code).toBe(EXIT.ok);
    expect(err).toBe("");
    const version = double.calls.find((c) => c.operation === "PutSecretValue")?.input;
    expect(out).toBe(
      `Togai at ${togai.baseUrl} accepted the key\nstored the key in ${arn} (version ${
        (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).VersionId
      })\n`,
    );
    expect(version).toMatchObject({ SecretId: arn, SecretString: GOOD_KEY });
    expect(await current(arn)).toBe(GOOD_KEY);
    expect(togai.calls.authenticate - before).toBe(1);
    expect(togai.credentialKinds.at(-1)).toEqual({ path: "/authenticate", kind: "secret-key" });
    expect(out + err).not.toContain(GOOD_KEY);
  });

  test.each([
    ["--file PATH", (file: string) => ["--file", file]],
    ["--file=PATH", (file: string) => [`--file=${file}`]],
  ])("from %s: the file's key, trimmed; stdin is not read", async (_, fileArgs) => {
    const arn = await createSecret(secrets, "key");
    const stdin = new PassThrough();
    const resume = jest.spyOn(stdin, "resume");

    const { code } = await cli(
      [
        "--secret-id",
        arn,
        ...fileArgs(keyFile(`${GOOD_KEY}\r\n`)),
        "--api-base-url",
        togai.baseUrl,
      ],
      { stdin },
    );

    expect(code).toBe(EXIT.ok);
    expect(await current(arn)).toBe(GOOD_KEY);
    expect(resume).not.toHaveBeenCalled();
  });

  test("from a terminal: a prompt, echo off while typing, the line up to Enter", async () => {
    const arn = await createSecret(secrets, "key");
    const { stream, modes } = terminal();
    const running = cli(["--secret-id", arn, "--api-base-url", togai.baseUrl], { stdin: stream });
    // Typed in pieces; whatever follows Enter is not part of the key.
    stream.write(GOOD_KEY.slice(0, 10));
    stream.write(`${GOOD_KEY.slice(10)}\rleftover`);

    const { code, err } = await running;

    expect(code).toBe(EXIT.ok);
    expect(modes).toEqual([true, false]);
    expect(err).toBe("Paste Togai's secret key and press Enter (input is not shown): \n");
    expect(await current(arn)).toBe(GOOD_KEY);
  });

  test("from a terminal without raw mode: read to the end of input, still prompted", async () => {
    const arn = await createSecret(secrets, "key");
    const { stream } = terminal(false);
    stream.end(`${GOOD_KEY}\n`);

    const { code, err } = await cli(["--secret-id", arn, "--api-base-url", togai.baseUrl], {
      stdin: stream,
    });

    expect(code).toBe(EXIT.ok);
    expect(err).toContain("Paste Togai's secret key");
    expect(await current(arn)).toBe(GOOD_KEY);
  });

  test("--skip-check stores without calling Togai, even with a base URL it would refuse", async () => {
    const arn = await createSecret(secrets, "key");
    const before = togai.calls.authenticate;

    const { code, out } = await cli(["--secret-id", arn, "--skip-check"], {
      stdin: GOOD_KEY,
      env: { TOGAI_API_BASE_URL: "http://api.togai.example" },
    });

    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(
      /^stored the key in arn:aws:secretsmanager:\S+ \(version [0-9a-f-]{36}\)\n$/,
    );
    expect(togai.calls.authenticate).toBe(before);
    expect(await current(arn)).toBe(GOOD_KEY);
  });
});

describe("where the key is checked", () => {
  test("TOGAI_API_BASE_URL when no --api-base-url is given", async () => {
    const arn = await createSecret(secrets, "key");
    const { code, out } = await cli(["--secret-id", arn], {
      stdin: GOOD_KEY,
      env: { TOGAI_API_BASE_URL: togai.baseUrl },
    });
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(`Togai at ${togai.baseUrl} accepted the key`);
  });

  test("else the token secret's apiBaseUrl (--token-secret-id)", async () => {
    const arn = await createSecret(secrets, "key");
    const tokenArn = await tokenSecretWithRotation(secrets);
    await putToken(secrets, tokenArn, togai.mintToken(), togai.baseUrl);

    const { code, out } = await cli(["--secret-id", arn, "--token-secret-id", tokenArn], {
      stdin: GOOD_KEY,
    });

    expect(code).toBe(EXIT.ok);
    expect(out).toContain(`Togai at ${togai.baseUrl} accepted the key`);
  });

  test.each([
    ["has no value yet", undefined],
    ["does not hold the token JSON", "not json"],
  ])("else, when the token secret %s, Togai's production API", async (_, value) => {
    const arn = await createSecret(secrets, "key", "kept");
    const tokenArn = await createSecret(secrets, "token", value);
    // Nothing leaves this machine: fetch answers as Togai would for a wrong key.
    const fetched: string[] = [];
    jest.spyOn(globalThis, "fetch").mockImplementation(async (url) => {
      fetched.push(String(url));
      return new Response('{"message":"Invalid credentials"}', { status: 401 });
    });

    const { code, err } = await cli(["--secret-id", arn, "--token-secret-id", tokenArn], {
      stdin: BAD_KEY,
    });

    expect(fetched).toEqual(["https://api.togai.com/authenticate"]);
    expect(code).toBe(EXIT.keyRejected);
    expect(err).toContain("Togai at https://api.togai.com rejected this key (HTTP 401)");
    expect(await current(arn)).toBe("kept");
  });

  test.each([
    [
      "plain http to another host",
      "http://api.togai.example",
      "refusing to send the secret key to http://api.togai.example: use https (plain http only to 127.0.0.1 or localhost)",
    ],
    [
      "not an absolute URL",
      "api.togai.com",
      'the Togai base URL "api.togai.com" is not an absolute URL (e.g. https://api.togai.com)',
    ],
  ])("--api-base-url %s: exit 2 before the key is read", async (_, url, message) => {
    const stdin = new PassThrough();
    const resume = jest.spyOn(stdin, "resume");
    const { code, err } = await cli(["--secret-id", "x", "--api-base-url", url], { stdin });
    expect(code).toBe(EXIT.usage);
    expect(err).toBe(`cdktf-togai put-api-key: ${message}; run "cdktf-togai put-api-key --help"\n`);
    expect(resume).not.toHaveBeenCalled();
    expect(double.calls).toEqual([]);
  });

  test("a token secret's apiBaseUrl that is not safe: refused, nothing sent or stored", async () => {
    const arn = await createSecret(secrets, "key", "kept");
    const tokenArn = await tokenSecretWithRotation(secrets);
    await putToken(secrets, tokenArn, togai.mintToken(), "http://api.togai.example");
    const fetch = jest.spyOn(globalThis, "fetch");

    const { code, err } = await cli(["--secret-id", arn, "--token-secret-id", tokenArn], {
      stdin: GOOD_KEY,
    });

    expect(code).toBe(EXIT.usage);
    expect(err).toContain("refusing to send the secret key to http://api.togai.example");
    expect(fetch).not.toHaveBeenCalled();
    expect(await current(arn)).toBe("kept");
  });
});

describe("a key that is not stored", () => {
  test("rejected by Togai: exit 3, the secret unchanged, the key not printed", async () => {
    const arn = await createSecret(secrets, "key", "old-key-value");

    const { code, out, err } = await cli(["--secret-id", arn, "--api-base-url", togai.baseUrl], {
      stdin: `${BAD_KEY}\n`,
    });

    expect(code).toBe(EXIT.keyRejected);
    expect(out).toBe("");
    expect(err).toBe(
      `cdktf-togai put-api-key: Togai at ${togai.baseUrl} rejected this key (HTTP 401); ${arn} was not changed\n`,
    );
    expect(await current(arn)).toBe("old-key-value");
    expect(double.count("PutSecretValue")).toBe(0);
  });

  test.each([
    [503, "Togai /authenticate answered HTTP 503"],
    [429, "Togai /authenticate answered HTTP 429"],
  ])("Togai answering %i: exit 1, nothing stored, --skip-check named", async (status, why) => {
    const arn = await createSecret(secrets, "key", "kept");
    togai.inject({ path: "/authenticate", kind: "status", status });

    const { code, err } = await cli(["--secret-id", arn, "--api-base-url", togai.baseUrl], {
      stdin: GOOD_KEY,
    });

    expect(code).toBe(EXIT.failure);
    expect(err).toContain(`could not check the key with Togai at ${togai.baseUrl} (`);
    expect(err).toContain(why);
    expect(err).toContain("nothing was stored (--skip-check stores it unchecked)");
    expect(await current(arn)).toBe("kept");
  });

  test.each([
    ["an empty pipe", "", "no key was read: pipe Togai's secret key to stdin, or give --file PATH"],
    ["only blank lines", "\n\n  \n", "no key was read"],
    [
      "two words",
      `${GOOD_KEY} ${GOOD_KEY}`,
      "the key read contains whitespace: give exactly the key, on one line",
    ],
    ["two lines", `${GOOD_KEY}\n${GOOD_KEY}\n`, "the key read contains whitespace"],
  ])("%s: exit 2, nothing sent or stored", async (_, stdin, message) => {
    const before = togai.calls.authenticate;
    const { code, err } = await cli(["--secret-id", "x", "--api-base-url", togai.baseUrl], {
      stdin,
    });
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(message);
    expect(err).not.toContain(GOOD_KEY);
    expect(togai.calls.authenticate).toBe(before);
    expect(double.calls).toEqual([]);
  });

  test.each([
    ["a key given as the path", () => GOOD_KEY, "does not exist"],
    ["a folder", () => tmpdir(), "is a folder"],
    ["a path through a file", () => join(keyFile("x"), GOOD_KEY), "cannot be read (ENOTDIR)"],
  ])("--file naming %s: exit 2 without repeating the name", async (_, path, why) => {
    const given = path();
    const { code, err } = await cli(["--secret-id", "x", "--file", given, "--skip-check"]);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(`the file named by --file ${why} (its name is not repeated here`);
    expect(err).not.toContain(given);
    expect(err).not.toContain(GOOD_KEY);
  });

  test("Ctrl-C at the terminal prompt: exit 1, cancelled, nothing sent", async () => {
    const before = togai.calls.authenticate;
    const { stream } = terminal();
    const running = cli(["--secret-id", "x", "--api-base-url", togai.baseUrl], { stdin: stream });
    stream.write(`${GOOD_KEY.slice(0, 8)}\u0003`);

    const { code, err } = await running;

    expect(code).toBe(EXIT.failure);
    expect(err).toContain("cdktf-togai put-api-key: cancelled\n");
    expect(togai.calls.authenticate).toBe(before);
    expect(double.calls).toEqual([]);
  });

  test("stdin failing: exit 1 with the stream's error, nothing stored", async () => {
    const stdin = new PassThrough();
    const running = cli(["--secret-id", "x", "--skip-check"], { stdin });
    stdin.destroy(new Error("stdin closed unexpectedly"));
    const { code, err } = await running;
    expect(code).toBe(EXIT.failure);
    expect(err).toBe("cdktf-togai put-api-key: stdin closed unexpectedly\n");
    expect(double.calls).toEqual([]);
  });

  test("Secrets Manager refusing the write: exit 1 with AWS's message, the key not printed", async () => {
    const arn = await createSecret(secrets, "key", "kept");
    double.fault = (operation) =>
      operation === "PutSecretValue"
        ? { status: 400, type: "AccessDeniedException", message: "not authorized to put" }
        : undefined;

    const { code, err } = await cli(["--secret-id", arn, "--api-base-url", togai.baseUrl], {
      stdin: GOOD_KEY,
    });

    expect(code).toBe(EXIT.failure);
    expect(err).toBe("cdktf-togai put-api-key: not authorized to put\n");
    expect(await current(arn)).toBe("kept");
  });
});

describe("--token-secret-id: a rotation starts once the key is stored", () => {
  test("an unfinished rotation (the first deploy's, without a key) is cleared, a new one staged", async () => {
    const arn = await createSecret(secrets, "key");
    const tokenArn = await tokenSecretWithRotation(secrets);
    const stale = (
      await secrets.send(
        new RotateSecretCommand({ SecretId: tokenArn, RotationLambdaARN: ROTATION_FUNCTION_ARN }),
      )
    ).VersionId;

    const { code, out } = await cli(
      ["--secret-id", arn, "--token-secret-id", tokenArn, "--api-base-url", togai.baseUrl],
      { stdin: GOOD_KEY },
    );

    expect(code).toBe(EXIT.ok);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe(`Togai at ${togai.baseUrl} accepted the key`);
    expect(lines[1]).toMatch(/^stored the key in /);
    expect(lines[2]).toBe(`cleared AWSPENDING left by an unfinished rotation (version ${stale})`);
    expect(lines[3]).toMatch(
      new RegExp(`^rotation of ${tokenArn} started \\(version [0-9a-f-]{36}\\)`),
    );
    const order = double.calls.map((c) => c.operation);
    expect(order.lastIndexOf("PutSecretValue")).toBeLessThan(order.lastIndexOf("RotateSecret"));
  });

  test("a token secret without a rotation function: the key is stored, exit 1 says why", async () => {
    const arn = await createSecret(secrets, "key");
    const notToken = await createSecret(secrets, "other", "x");

    const { code, out, err } = await cli(
      ["--secret-id", arn, "--token-secret-id", notToken, "--skip-check"],
      { stdin: GOOD_KEY },
    );

    expect(code).toBe(EXIT.failure);
    expect(out).toMatch(/^stored the key in /);
    expect(err).toContain(`${notToken} has no rotation function`);
    expect(await current(arn)).toBe(GOOD_KEY);
  });
});
