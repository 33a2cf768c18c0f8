/**
 * `cdktf-togai status` names a stuck rotation and a token secret that does not hold the
 * contract's JSON, and exits 4 for each (moto_server and the Togai stand-in).
 * Invariant: any state in which consumers will soon lack a valid token exits non-zero.
 */
import { PassThrough } from "node:stream";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { EXIT, runCli } from "../../lib/cli/cli";
import { scheduleIntervalHours } from "../../lib/cli/status";
import { driveRotation } from "../support/rotation-driver";
import { createRotationFixture, type RotationFixture } from "../support/rotation-fixture";
import { useServers } from "../support/servers";
import type { TogaiStandIn } from "../support/togai-standin";

const KEY = "togai-status-key-3c5e7a9b1d2f4e6a";

const servers = useServers({ secretKeys: [KEY], rateLimits: false });
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;

beforeAll(() => {
  ({ togai, secrets } = servers);
});

async function status(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    out += d;
  });
  const stdin = new PassThrough();
  stdin.end();
  const code = await runCli(["status", ...args], { stdin, stdout, stderr, env: {}, secrets });
  return { code, out };
}

async function rotated(): Promise<RotationFixture> {
  const fx = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl, apiKey: KEY });
  expect((await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn })).error).toBeUndefined();
  return fx;
}

test("AWSPENDING on a version other than AWSCURRENT: exit 4 naming the version; exit 0 once it finishes", async () => {
  const fx = await rotated();
  const started = await secrets.send(
    new RotateSecretCommand({ SecretId: fx.tokenArn, RotationLambdaARN: fx.functionArn }),
  );

  const stuck = await status(["--secret-id", fx.tokenArn]);

  expect(stuck.code).toBe(EXIT.unhealthy);
  expect(stuck.out).toContain(
    `WARNING: rotation is stuck or still running: AWSPENDING is on version ${started.VersionId}, not on AWSCURRENT`,
  );
  expect(stuck.out).toContain(`cdktf-togai rotate --secret-id ${fx.tokenArn}`);
  expect((await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn })).error).toBeUndefined();
  expect((await status(["--secret-id", fx.tokenArn])).code).toBe(EXIT.ok);
});

test("no successful rotation for more than two intervals: exit 4, even with --warn-hours 0", async () => {
  const fx = await rotated();
  const clock = FakeTimers.install({ toFake: ["Date"], now: Date.now() + 12.5 * 3_600_000 });
  try {
    const late = await status(["--secret-id", fx.tokenArn, "--warn-hours", "0", "--json"]);

    expect(late.code).toBe(EXIT.unhealthy);
    const report = JSON.parse(late.out);
    expect(report.problems).toEqual([
      expect.stringMatching(
        /^rotation is stuck: the last successful rotation minted the current token 12\.\d h ago, more than two intervals of 6 h/,
      ),
    ]);
    expect(report.unfinishedVersionIds).toEqual([]);
  } finally {
    clock.uninstall();
  }
  expect((await status(["--secret-id", fx.tokenArn, "--warn-hours", "0"])).code).toBe(EXIT.ok);
});

test.each([
  ["JSON without the contract's fields", '{"hello":"world"}', 'has no "token" string'],
  ["text that is not JSON", "a token pasted by hand", "does not hold JSON"],
])(
  "a token secret holding %s: exit 4 naming the secret, never the value",
  async (_, value, why) => {
    const fx = await rotated();
    await secrets.send(new PutSecretValueCommand({ SecretId: fx.tokenArn, SecretString: value }));

    const { code, out } = await status(["--secret-id", fx.tokenArn]);

    expect(code).toBe(EXIT.unhealthy);
    expect(out).toContain(`WARNING: The token secret ${fx.tokenArn} ${why}`);
    expect(out).not.toContain(value);
  },
);

test("the schedule's interval is read from rate() expressions only", () => {
  expect(scheduleIntervalHours("rate(6 hours)")).toBe(6);
  expect(scheduleIntervalHours("rate(1 day)")).toBe(24);
  expect(scheduleIntervalHours("cron(0 */6 * * ? *)")).toBeUndefined();
  expect(scheduleIntervalHours(undefined)).toBeUndefined();
});

test("the API-key secret given by mistake: exit 4 saying it has no rotation function, never its value", async () => {
  const fx = await rotated();

  const { code, out } = await status(["--secret-id", fx.apiKeyArn]);

  expect(code).toBe(EXIT.unhealthy);
  expect(out).toContain(
    `WARNING: ${fx.apiKeyArn} has no rotation function: is it the token secret?`,
  );
  expect(out).not.toContain("run a rotation to repair it");
  expect(out).not.toContain(KEY);
});

test("a secret that does not exist: exit 1 naming the id given", async () => {
  const { code, out } = await status(["--secret-id", "billing/no-such-token-secret"]);

  expect(code).toBe(EXIT.failure);
  expect(out).toContain("Secrets Manager has no secret billing/no-such-token-secret");
});

test("contract JSON whose dates are not the token's own: exit 4 (a hand-made value cannot hide a stuck rotation)", async () => {
  const fx = await rotated();
  const current = JSON.parse(
    (await secrets.send(new GetSecretValueCommand({ SecretId: fx.tokenArn }))).SecretString ?? "",
  );
  const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: fx.tokenArn,
      SecretString: JSON.stringify({ ...current, expiresAt: inAYear, issuedAt: inAYear }),
    }),
  );

  const { code, out } = await status(["--secret-id", fx.tokenArn]);

  expect(code).toBe(EXIT.unhealthy);
  expect(out).toContain("is not the token's own expiry");
  expect(out).toContain("its token claims to be issued in the future");
  expect(out).not.toContain(current.token);
});

test("a token field that is not a Togai token: exit 4 naming the problem, never the value", async () => {
  const fx = await rotated();
  const value = {
    token: "not-a-jwt-pasted-by-hand",
    expiresAt: new Date(Date.now() + 20 * 3_600_000).toISOString(),
    issuedAt: new Date().toISOString(),
    apiBaseUrl: togai.baseUrl,
  };
  await secrets.send(
    new PutSecretValueCommand({ SecretId: fx.tokenArn, SecretString: JSON.stringify(value) }),
  );

  const { code, out } = await status(["--secret-id", fx.tokenArn]);

  expect(code).toBe(EXIT.unhealthy);
  expect(out).toContain(`the token secret's "token" is not a Togai token`);
  expect(out).not.toContain(value.token);
});
