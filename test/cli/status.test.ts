/**
 * `cdktf-togai status` in-process against the in-memory Secrets Manager, on a fixed clock: each
 * state of a token secret gives its lines and exit code (4 for every problem: consumers will soon
 * lack a valid token, or the secret is not what it should be), and no token is ever printed.
 * The same against moto_server and a real rotation: status.int.test.ts.
 */
import {
  CancelRotateSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { EXIT } from "../../lib/cli/cli";
import { formatStatus, type StatusReport, scheduleIntervalHours } from "../../lib/cli/status";
import { createSecret, putToken } from "../support/aws-fixtures";
import { leakedSecrets } from "../support/capture-output";
import { runCliInProcess } from "../support/cli-in-process";
import { InMemorySecretsManager } from "../support/secrets-manager-double";
import { TogaiStandIn } from "../support/togai-standin";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const HOUR = 3_600_000;
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:togai-rotation";
const API = "https://api.togai.com";

/** Mints tokens as Togai does (signed, gzipped claims); no server is started. */
const togai = new TogaiStandIn();
const mint = (hoursAgo: number) => togai.mintToken(Math.floor((NOW - hoursAgo * HOUR) / 1000));

let clock: ReturnType<typeof FakeTimers.install>;
let double: InMemorySecretsManager;
let secrets: SecretsManagerClient;
let printed = "";

beforeEach(() => {
  clock = FakeTimers.install({ toFake: ["Date"], now: NOW });
  double = new InMemorySecretsManager();
  secrets = double.client();
});

afterEach(() => {
  clock.uninstall();
});

afterAll(() => {
  expect(leakedSecrets(printed, togai.issuedTokens)).toEqual([]);
});

async function status(args: string[]) {
  const run = await runCliInProcess(["status", ...args], { secrets });
  printed += run.out + run.err;
  return run;
}

/** A token secret as TogaiTokenRotation makes it: rotation enabled, `schedule`, no value. */
async function tokenSecret(schedule = "rate(6 hours)"): Promise<string> {
  const arn = await createSecret(secrets, "token");
  await secrets.send(
    new RotateSecretCommand({
      SecretId: arn,
      RotationLambdaARN: FUNCTION_ARN,
      RotationRules: { ScheduleExpression: schedule },
      RotateImmediately: false,
    }),
  );
  return arn;
}

/** A token secret holding a token minted `hoursAgo`. */
async function withToken(hoursAgo: number, schedule?: string) {
  const arn = await tokenSecret(schedule);
  const token = mint(hoursAgo);
  await putToken(secrets, arn, token, API);
  return { arn, token };
}

const iso = (hoursFromNow: number) => new Date(NOW + hoursFromNow * HOUR).toISOString();

/** The contract's JSON with the given fields, whether or not they agree with each other. */
const contractJson = (token: string, expiresAt: string, issuedAt: string) =>
  JSON.stringify({ token, expiresAt, issuedAt, apiBaseUrl: API });

test("a healthy secret: every line, exit 0", async () => {
  const { arn } = await withToken(2);

  const { code, out, err } = await status(["--secret-id", arn]);

  expect(code).toBe(EXIT.ok);
  expect(err).toBe("");
  expect(out.split("\n")).toEqual([
    `token secret:     ${arn}`,
    "rotation:         enabled, rate(6 hours)",
    "last rotation:    never",
    `last success:     ${iso(-2)}`,
    "next rotation:    unknown",
    `current token:    expires ${iso(22)} (22 h left), ${API}`,
    "",
  ]);
});

test("--json: one object for scripts, with the same facts", async () => {
  const { arn } = await withToken(2);

  const { code, out } = await status(["--secret-id", arn, "--json"]);

  expect(code).toBe(EXIT.ok);
  expect(JSON.parse(out)).toEqual({
    secretArn: arn,
    rotationEnabled: true,
    schedule: "rate(6 hours)",
    unfinishedVersionIds: [],
    token: { expiresAt: iso(22), issuedAt: iso(-2), hoursLeft: 22, apiBaseUrl: API },
    lastSuccessfulRotationAt: iso(-2),
    problems: [],
  });
});

test.each([
  [15, 10, ["the token has 9 h left, below 10 h"]],
  [15, 8, []],
  [23.5, 0, []],
  [25, 0, [`the token expired at ${iso(-1)}`]],
])(
  "a token minted %s h ago with --warn-hours %s (no stuck check for a cron schedule)",
  async (hoursAgo, warnHours, problems) => {
    const { arn } = await withToken(hoursAgo, "cron(0 */6 * * ? *)");

    const { code, out } = await status(["--secret-id", arn, "--warn-hours", `${warnHours}`]);

    const warnings = out.split("\n").filter((line) => line.startsWith("WARNING: "));
    expect(warnings).toEqual(problems.map((p) => `WARNING: ${p}`));
    expect(code).toBe(problems.length > 0 ? EXIT.unhealthy : EXIT.ok);
  },
);

test("the default --warn-hours is 10", async () => {
  const { arn } = await withToken(14.5, "cron(0 */6 * * ? *)");
  const { code, out } = await status(["--secret-id", arn]);
  expect(code).toBe(EXIT.unhealthy);
  expect(out).toContain("WARNING: the token has 9.5 h left, below 10 h");
});

test("no successful rotation for more than two intervals: stuck, exit 4 even with --warn-hours 0", async () => {
  const { arn } = await withToken(12.5);

  const { code, out } = await status(["--secret-id", arn, "--warn-hours", "0"]);

  expect(code).toBe(EXIT.unhealthy);
  expect(out).toContain(
    "WARNING: rotation is stuck: the last successful rotation minted the current token 12.5 h ago, more than two intervals of 6 h; see the rotation function's log\n",
  );
});

test("a rate in days counts in days: 23 h after success with rate(1 day) is not stuck", async () => {
  const { arn } = await withToken(23, "rate(1 day)");
  const { code } = await status(["--secret-id", arn, "--warn-hours", "0"]);
  expect(code).toBe(EXIT.ok);
});

test("AWSPENDING on another version: stuck or still running, naming the version and the fix", async () => {
  const { arn } = await withToken(1);
  const pending = (
    await secrets.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: FUNCTION_ARN }))
  ).VersionId;

  const { code, out } = await status(["--secret-id", arn, "--json"]);

  expect(code).toBe(EXIT.unhealthy);
  const report = JSON.parse(out) as StatusReport;
  expect(report.unfinishedVersionIds).toEqual([pending]);
  expect(report.problems).toEqual([
    `rotation is stuck or still running: AWSPENDING is on version ${pending}, not on AWSCURRENT; Secrets Manager refuses new rotations until it finishes (the function gives up an aged one by itself at the next scheduled rotation; "cdktf-togai rotate --secret-id ${arn}" clears it and starts one now)`,
  ]);
});

test("rotation turned off: DISABLED, exit 4", async () => {
  const { arn } = await withToken(1);
  await secrets.send(new CancelRotateSecretCommand({ SecretId: arn }));

  const { code, out } = await status(["--secret-id", arn]);

  expect(code).toBe(EXIT.unhealthy);
  expect(out).toContain("rotation:         DISABLED, rate(6 hours)\n");
  expect(out).toContain("WARNING: rotation is not enabled\n");
});

test("no token minted yet: exit 4 pointing to put-api-key", async () => {
  const arn = await tokenSecret();
  const { code, out } = await status(["--secret-id", arn]);
  expect(code).toBe(EXIT.unhealthy);
  expect(out).toContain("current token:    none\n");
  expect(out).toContain(
    "WARNING: no token has been minted yet (or the value is binary, not the token JSON): put the key with put-api-key --token-secret-id, which also starts a rotation\n",
  );
});

test("the API-key secret given by mistake: exit 4, and its value is not even read", async () => {
  const arn = await createSecret(secrets, "key", "sk_live_status_unit_0a1b2c3d4e5f");

  const { code, out } = await status(["--secret-id", arn]);

  expect(code).toBe(EXIT.unhealthy);
  expect(out).toContain(`WARNING: ${arn} has no rotation function: is it the token secret?`);
  expect(out).toContain("rotation:         DISABLED\n");
  expect(double.count("GetSecretValue")).toBe(0);
});

test.each([
  [
    "text that is not JSON",
    () => "a token pasted by hand",
    (arn: string) => `The token secret ${arn} does not hold JSON`,
  ],
  [
    "JSON without the contract's fields",
    () => '{"hello":"world"}',
    (arn: string) => `The token secret ${arn} has no "token" string`,
  ],
  [
    "a token field that is not a Togai token",
    () => contractJson("not-a-jwt-pasted", iso(20), iso(-4)),
    () => `the token secret's "token" is not a Togai token (`,
  ],
  [
    "dates that are not the token's own",
    () => contractJson(mint(1), iso(8000), iso(-1)),
    () =>
      `the token secret's expiresAt (${iso(8000)}) is not the token's own expiry (${iso(23)}); run a rotation to repair it`,
  ],
  [
    "an issuedAt in the future",
    () => contractJson(mint(1), iso(23), iso(5)),
    () =>
      `the token secret's dates cannot be Togai's: its token claims to be issued in the future (${iso(5)}); run a rotation to repair it`,
  ],
])(
  "a token secret holding %s: exit 4 naming the problem, never the value",
  async (_, value, why) => {
    const arn = await tokenSecret();
    const text = value();
    await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: text }));

    const { code, out } = await status(["--secret-id", arn]);

    expect(code).toBe(EXIT.unhealthy);
    expect(out).toContain(`WARNING: ${why(arn)}`);
    expect(out).not.toContain(text);
    if (text.startsWith("{")) expect(out).not.toContain(JSON.parse(text).token ?? "no token");
  },
);

test("a secret that does not exist: exit 1 naming the id given", async () => {
  const { code, err } = await status(["--secret-id", "billing/no-such-token"]);
  expect(code).toBe(EXIT.failure);
  expect(err).toBe(
    "cdktf-togai status: Secrets Manager has no secret billing/no-such-token in this account and region: give the token secret's ARN (the tokenSecretArn output of TogaiTokenRotation)\n",
  );
});

test("GetSecretValue failing otherwise: exit 1 with AWS's message", async () => {
  const { arn } = await withToken(1);
  double.fault = (operation) =>
    operation === "GetSecretValue"
      ? { status: 400, type: "DecryptionFailure", message: "cannot decrypt with the KMS key" }
      : undefined;
  const { code, err } = await status(["--secret-id", arn]);
  expect(code).toBe(EXIT.failure);
  expect(err).toBe("cdktf-togai status: cannot decrypt with the KMS key\n");
});

test("formatStatus: a report without schedule, dates or token", () => {
  const report: StatusReport = {
    rotationEnabled: false,
    unfinishedVersionIds: [],
    token: null,
    problems: ["one", "two"],
  };
  expect(formatStatus(report, "billing/token")).toEqual([
    "token secret:     billing/token",
    "rotation:         DISABLED",
    "last rotation:    never",
    "last success:     never",
    "next rotation:    unknown",
    "current token:    none",
    "WARNING: one",
    "WARNING: two",
  ]);
});

test("formatStatus: dates from Secrets Manager are shown as given", () => {
  const lines = formatStatus(
    {
      secretArn: "arn:x",
      rotationEnabled: true,
      schedule: "rate(4 hours)",
      lastRotatedAt: iso(-3),
      nextRotationAt: iso(1),
      unfinishedVersionIds: [],
      token: null,
      problems: [],
    },
    "ignored",
  );
  expect(lines.slice(0, 5)).toEqual([
    "token secret:     arn:x",
    "rotation:         enabled, rate(4 hours)",
    `last rotation:    ${iso(-3)}`,
    "last success:     never",
    `next rotation:    ${iso(1)}`,
  ]);
});

test.each([
  ["rate(6 hours)", 6],
  ["rate(1 hour)", 1],
  ["rate(2 days)", 48],
  ["cron(0 */6 * * ? *)", undefined],
  ["rate(6 minutes)", undefined],
  [undefined, undefined],
])("scheduleIntervalHours(%j) is %j", (schedule, hours) => {
  expect(scheduleIntervalHours(schedule)).toBe(hours);
});
