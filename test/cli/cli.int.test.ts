/** The `cdktf-togai` operator command against moto_server and the Togai stand-in. */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { EXIT } from "../../lib/cli/cli";
import { createSecret } from "../support/aws-fixtures";
import { leakedSecrets } from "../support/capture-output";
import { runCliInProcess } from "../support/cli-in-process";
import type { MotoServer } from "../support/moto-server";
import { driveRotation, PROJECT_ROOT, versionWithStage } from "../support/rotation-driver";
import { createRotationFixture } from "../support/rotation-fixture";
import { useServers } from "../support/servers";
import type { TogaiStandIn } from "../support/togai-standin";

const GOOD_KEY = "togai-cli-key-7a1e0c5d9b3f4a28";
const BAD_KEY = "togai-cli-key-revoked-00000000";

const servers = useServers({
  secretKeys: [GOOD_KEY],
  rateLimits: false,
  unauthenticatedLimit: 1000,
});
let moto: MotoServer;
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;
let allOutput = "";

beforeAll(() => {
  ({ moto, togai, secrets } = servers);
});

// Declared after the servers' hooks: runs once every token the stand-in issued is known.
afterAll(() => {
  expect(leakedSecrets(allOutput, [GOOD_KEY, BAD_KEY, ...togai.issuedTokens])).toEqual([]);
});

/** Runs the CLI in-process against moto with `stdin` piped in; keeps its output for the scan. */
async function cli(args: string[], stdin = "", env: Record<string, string> = {}) {
  const run = await runCliInProcess(args, { stdin, env: { ...env }, secrets });
  allOutput += run.out + run.err;
  return run;
}

const currentValue = async (id: string) =>
  (await secrets.send(new GetSecretValueCommand({ SecretId: id, VersionStage: "AWSCURRENT" })))
    .SecretString;

describe("put-api-key", () => {
  test("a key Togai rejects exits 3 and leaves the secret as it was", async () => {
    const arn = await createSecret(secrets, "key", "previous-key-value");

    const { code, err } = await cli(
      ["put-api-key", "--secret-id", arn, "--api-base-url", togai.baseUrl],
      `${BAD_KEY}\n`,
    );

    expect(code).toBe(EXIT.keyRejected);
    expect(err).toBe(
      `cdktf-togai put-api-key: Togai at ${togai.baseUrl} rejected this key (HTTP 401); ${arn} was not changed\n`,
    );
    expect(await currentValue(arn)).toBe("previous-key-value");
  });

  test("a good key from stdin is checked, stored, and a rotation of the token secret starts", async () => {
    const fx = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl });
    // The fixture's immediate rotation failed for lack of a key (as on a first deploy).
    const failed = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });
    expect(failed.failedStep).toBe("createSecret");
    const before = togai.calls.authenticate;

    const { code, out } = await cli(
      [
        "put-api-key",
        "--secret-id",
        fx.apiKeyArn,
        "--token-secret-id",
        fx.tokenArn,
        "--api-base-url",
        togai.baseUrl,
      ],
      `${GOOD_KEY}\n`,
    );

    expect(code).toBe(EXIT.ok);
    expect(togai.calls.authenticate - before).toBe(1);
    expect(await currentValue(fx.apiKeyArn)).toBe(GOOD_KEY);
    expect(out).toContain("cleared AWSPENDING left by an unfinished rotation");
    expect(out).toMatch(/rotation of .+ started \(version [0-9a-f-]{36}\)/);
    // Secrets Manager now runs the function for the staged version: the first token is minted.
    const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });
    expect(run.error).toBeUndefined();
    expect(JSON.parse((await currentValue(fx.tokenArn)) as string).token).toBe(
      togai.issuedTokens.at(-1),
    );
  });

  test("--file reads the key from a file; --skip-check stores without calling Togai", async () => {
    const arn = await createSecret(secrets, "key");
    const file = join(mkdtempSync(join(tmpdir(), "togai-cli-")), "key.txt");
    writeFileSync(file, `${GOOD_KEY}\n`);
    const before = togai.calls.authenticate;

    const { code } = await cli(["put-api-key", "--secret-id", arn, "--file", file, "--skip-check"]);

    expect(code).toBe(EXIT.ok);
    expect(togai.calls.authenticate).toBe(before);
    expect(await currentValue(arn)).toBe(GOOD_KEY);
  });

  test("Togai unreachable: nothing stored, exit 1", async () => {
    const arn = await createSecret(secrets, "key", "kept");
    const { code, err } = await cli(
      ["put-api-key", "--secret-id", arn, "--api-base-url", "http://127.0.0.1:9"],
      GOOD_KEY,
    );
    expect(code).toBe(EXIT.failure);
    expect(err).toContain("could not check the key with Togai at http://127.0.0.1:9");
    expect(await currentValue(arn)).toBe("kept");
  });

  test.each([
    [
      "a key in argv",
      ["put-api-key", "--secret-id", "x", GOOD_KEY],
      "",
      "takes no positional arguments",
    ],
    ["an empty stdin", ["put-api-key", "--secret-id", "x"], "", "no key was read"],
    ["two words", ["put-api-key", "--secret-id", "x"], "two words", "contains whitespace"],
    ["no --secret-id", ["put-api-key"], GOOD_KEY, "--secret-id is required"],
    [
      "a key given as --file",
      ["put-api-key", "--secret-id", "x", "--file", GOOD_KEY],
      "",
      "the file named by --file does not exist",
    ],
    [
      "a folder as --file",
      ["put-api-key", "--secret-id", "x", "--file", tmpdir()],
      "",
      "the file named by --file is a folder",
    ],
    [
      "a key given as --file=",
      ["put-api-key", "--secret-id", "x", `--file=${GOOD_KEY}`],
      "",
      "the file named by --file does not exist",
    ],
    [
      "--warn-hours 40",
      ["status", "--secret-id", "x", "--warn-hours", "40"],
      "",
      "--warn-hours must be a number of hours from 0 to 24",
    ],
    [
      "an unknown option",
      ["status", "--secret-id", "x", "--verbose"],
      "",
      "Unknown option '--verbose'",
    ],
  ])(
    "bad usage (%s) exits 2 with a sentence, never echoing a key",
    async (_name, args, stdin, message) => {
      const { code, err } = await cli(args as string[], stdin);
      expect(code).toBe(EXIT.usage);
      expect(err).toContain(message);
      expect(err).not.toContain(GOOD_KEY);
    },
  );
});

describe("rotate and status", () => {
  test("status reports no token (exit 4), then a rotated token's expiry (exit 0)", async () => {
    const fx = await createRotationFixture({
      secrets,
      togaiBaseUrl: togai.baseUrl,
      apiKey: GOOD_KEY,
    });

    const empty = await cli(["status", "--secret-id", fx.tokenArn, "--json"]);
    expect(empty.code).toBe(EXIT.unhealthy);
    expect(JSON.parse(empty.out)).toMatchObject({
      rotationEnabled: true,
      schedule: "rate(6 hours)",
      token: null,
      problems: [
        expect.stringMatching(/^rotation is stuck or still running: AWSPENDING is on version /),
        expect.stringMatching(/^no token has been minted yet/),
      ],
    });

    await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });
    const healthy = await cli(["status", "--secret-id", fx.tokenArn]);
    expect(healthy.code).toBe(EXIT.ok);
    expect(healthy.out).toMatch(/rotation: +enabled, rate\(6 hours\)/);
    expect(healthy.out).toMatch(/current token: +expires \S+ \(2[34](\.\d+)? h left\)/);

    const strict = await cli(["status", "--secret-id", fx.tokenArn, "--warn-hours", "24"]);
    expect(strict.code).toBe(EXIT.unhealthy);
    expect(strict.out).toMatch(/WARNING: the token has .+ h left, below 24 h/);
  });

  test("rotate stages a new AWSPENDING version for the function", async () => {
    const fx = await createRotationFixture({
      secrets,
      togaiBaseUrl: togai.baseUrl,
      apiKey: GOOD_KEY,
    });
    await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });

    const { code } = await cli(["rotate", "--secret-id", fx.tokenArn]);

    expect(code).toBe(EXIT.ok);
    const pending = await versionWithStage(secrets, fx.tokenArn, "AWSPENDING");
    expect(pending).toBeDefined();
    expect(pending).not.toBe(await versionWithStage(secrets, fx.tokenArn, "AWSCURRENT"));
  });

  test("rotate on a secret without rotation says so", async () => {
    const arn = await createSecret(secrets, "plain", "x");
    const { code, err } = await cli(["rotate", "--secret-id", arn]);
    expect(code).toBe(EXIT.failure);
    expect(err).toContain("has no rotation function: deploy it with TogaiTokenRotation");
  });

  test("help and unknown commands", async () => {
    expect((await cli(["--help"])).out).toContain("Exit codes: 0 success");
    expect((await cli(["status", "--help"])).out).toContain("--warn-hours N");
    expect((await cli([])).code).toBe(EXIT.usage);
    expect((await cli(["deploy"])).err).toContain('unknown command "deploy"');
  });
});

test("the installed bin reads the key from a pipe and never prints it", async () => {
  const arn = await createSecret(secrets, "key");
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, "dist", "lib", "cli", "main.js"),
      "put-api-key",
      "--secret-id",
      arn,
      "--api-base-url",
      togai.baseUrl,
    ],
    { env: { ...process.env, ...moto.awsEnv }, stdio: ["pipe", "pipe", "pipe"] },
  );
  let text = "";
  child.stdout.on("data", (d) => {
    text += d;
  });
  child.stderr.on("data", (d) => {
    text += d;
  });
  child.stdin.end(`${GOOD_KEY}\n`);
  const code = await new Promise((resolve) => child.once("close", resolve));
  allOutput += text;

  expect(code).toBe(0);
  expect(text).toContain(`stored the key in ${arn}`);
  expect(child.spawnargs.join(" ")).not.toContain(GOOD_KEY);
  expect(await currentValue(arn)).toBe(GOOD_KEY);
});
