/**
 * What the operator command takes from its surroundings, through the built bin where the
 * environment matters: where the key may go, the region, credentials hints, the version.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { EXIT, runCli } from "../../lib/cli/cli";
import { type MotoServer, useMotoSecrets } from "../support/moto-server";
import { PROJECT_ROOT } from "../support/rotation-driver";

const KEY = "togai-env-key-5c2b9e71d04a";
const MISSING_ARN = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:missing-AbCdEf";

// The bins get exactly the environment each test gives them: this process's stays as it is.
const servers = useMotoSecrets({ setAwsEnv: false });
let moto: MotoServer;
beforeAll(() => {
  ({ moto } = servers);
});

/** The built bin with exactly `env` (plus PATH): no region or credentials leak in from here. */
async function bin(args: string[], env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [join(PROJECT_ROOT, "dist", "lib", "cli", "main.js"), ...args],
    {
      env: {
        PATH: process.env.PATH ?? "",
        AWS_CONFIG_FILE: join(PROJECT_ROOT, "no-such-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(PROJECT_ROOT, "no-such-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        ...env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  child.stdin.end(`${KEY}\n`);
  const code = await new Promise((resolve) => child.once("close", resolve));
  expect(out + err).not.toContain(KEY);
  return { code, out, err };
}

test("--version prints the package's version", async () => {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
  const run = await bin(["--version"], {});
  expect(run.out.trim()).toBe(version);
  expect(run.code).toBe(EXIT.ok);
});

describe("the key goes only to https, or http on loopback", () => {
  /** A Secrets Manager client that records every call: there must be none. */
  const calls: unknown[] = [];
  const recording = {
    send: async (command: unknown) => {
      calls.push(command);
      throw new Error("no AWS call was expected");
    },
  } as unknown as SecretsManagerClient;

  async function putKey(args: string[], env: Record<string, string> = {}) {
    const stdin = new PassThrough(); // never ends: reading the key would hang the test
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (d) => {
      err += d;
    });
    const code = await runCli(["put-api-key", "--secret-id", MISSING_ARN, ...args], {
      stdin,
      stdout: new PassThrough(),
      stderr,
      env,
      secrets: recording,
    });
    return { code, err };
  }

  test.each([
    ["--api-base-url http://api.togai.com", ["--api-base-url", "http://api.togai.com"], {}],
    ["TOGAI_API_BASE_URL=http://10.0.0.8", [], { TOGAI_API_BASE_URL: "http://10.0.0.8" }],
    ["a relative URL", ["--api-base-url", "api.togai.com"], {}],
  ])("%s: exit 2 before reading the key or connecting anywhere", async (_name, args, env) => {
    const run = await putKey(args, env);
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toMatch(/https|absolute URL/);
    expect(calls).toEqual([]);
  });

  test("the URL stored in the token secret is checked too, before Togai is called", async () => {
    const stdin = new PassThrough();
    stdin.end(`${KEY}\n`);
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (d) => {
      err += d;
    });
    const stored = {
      send: async () => ({
        VersionId: "v1",
        SecretString: JSON.stringify({
          token: "t",
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          issuedAt: new Date().toISOString(),
          apiBaseUrl: "http://togai.internal",
        }),
      }),
    } as unknown as SecretsManagerClient;
    const code = await runCli(
      ["put-api-key", "--secret-id", MISSING_ARN, "--token-secret-id", "tokens"],
      { stdin, stdout: new PassThrough(), stderr, env: {}, secrets: stored },
    );
    expect(code).toBe(EXIT.usage);
    expect(err).toContain("refusing to send the secret key to http://togai.internal");
  });
});

describe("AWS setup", () => {
  const endpointAndCredentials = () => ({
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });

  test("without AWS_REGION the region comes from the secret's ARN", async () => {
    const run = await bin(["rotate", "--secret-id", MISSING_ARN], endpointAndCredentials());
    expect(run.code).toBe(EXIT.failure);
    expect(run.err).not.toMatch(/region is missing/i);
    expect(run.err).toMatch(/can't find|not found|ResourceNotFound/i);
  });

  test("--secret-id=ARN (the = form): the region comes from the ARN too", async () => {
    const run = await bin(["rotate", `--secret-id=${MISSING_ARN}`], endpointAndCredentials());
    expect(run.code).toBe(EXIT.failure);
    expect(run.err).not.toMatch(/region is missing|hint/i);
    expect(run.err).toMatch(/can't find|not found|ResourceNotFound/i);
  });

  test("a key given by mistake as --file is not printed by the built bin", async () => {
    // bin() fails the test when KEY appears in the output.
    const run = await bin(["put-api-key", "--secret-id", MISSING_ARN, "--file", KEY], {});
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toContain("the file named by --file does not exist");
    expect(run.err).not.toContain("ENOENT");
  });

  test("a secret named without ARN and no region: a hint names AWS_REGION", async () => {
    const run = await bin(["rotate", "--secret-id", "missing"], endpointAndCredentials());
    expect(run.code).toBe(EXIT.failure);
    expect(run.err).toContain("hint: no AWS region: set AWS_REGION");
  });

  test("no credentials: a hint names AWS_PROFILE and AWS_REGION", async () => {
    const run = await bin(["rotate", "--secret-id", MISSING_ARN], {
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    expect(run.code).toBe(EXIT.failure);
    expect(run.err).toContain("hint: no AWS credentials were found: set AWS_PROFILE");
    expect(run.err).toContain("AWS_REGION");
  });
});
