/**
 * The operator command's dispatch, run in-process: help and version, unknown commands and bad
 * usage (exit 2, never echoing an argument that may be a key), and AWS setup failures (exit 1
 * with a hint). The commands themselves: put-api-key.test.ts, rotate.test.ts, status.test.ts.
 */
import { EXIT } from "../../lib/cli/cli";
import { runCliInProcess as cli } from "../support/cli-in-process";
import { InMemorySecretsManager } from "../support/secrets-manager-double";

const PASTED_KEY = "sk_live_cli_unit_9d8e7f6a5b4c3d2e";
const ARN = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:billing/token-AbCdEf";

let double: InMemorySecretsManager;

beforeEach(() => {
  double = new InMemorySecretsManager();
});

describe("help and version", () => {
  test.each(["--help", "-h", "help"])(
    "%s prints the commands and exit codes, exit 0",
    async (arg) => {
      const { code, out, err } = await cli([arg]);
      expect(code).toBe(EXIT.ok);
      expect(out).toMatch(/^Usage: cdktf-togai <command> \[options\]\n/);
      expect(out).toContain("put-api-key   Store Togai's secret key");
      expect(out).toContain("Exit codes: 0 success; 1 failure; 2 bad usage; 3 Togai rejected");
      expect(err).toBe("");
    },
  );

  test("no command at all prints the same help, exit 2", async () => {
    const { code, out } = await cli([]);
    expect(code).toBe(EXIT.usage);
    expect(out).toMatch(/^Usage: cdktf-togai <command>/);
  });

  test.each(["--version", "-v", "version"])("%s prints package.json's version", async (arg) => {
    const { version } = jest.requireActual<{ version: string }>("../../package.json");
    const { code, out } = await cli([arg]);
    expect(code).toBe(EXIT.ok);
    expect(out).toBe(`${version}\n`);
  });

  test.each([
    ["put-api-key", "Usage: cdktf-togai put-api-key --secret-id ID"],
    ["rotate", "Usage: cdktf-togai rotate --secret-id ID"],
    ["status", "Usage: cdktf-togai status --secret-id ID"],
  ])("%s --help prints its options, exit 0, and calls no AWS", async (command, usage) => {
    for (const flag of ["--help", "-h"]) {
      const { code, out } = await cli([command, "--secret-id", "x", flag], {
        secrets: double.client(),
      });
      expect(code).toBe(EXIT.ok);
      expect(out.startsWith(usage)).toBe(true);
    }
    expect(double.calls).toEqual([]);
  });
});

describe("bad usage: exit 2, a sentence pointing to --help", () => {
  test.each(["deploy", "main", "--secret-id"])("unknown command %s", async (command) => {
    const { code, out, err } = await cli([command]);
    expect(code).toBe(EXIT.usage);
    expect(out).toBe("");
    expect(err).toBe(
      `cdktf-togai: unknown command "${command}"; run "cdktf-togai --help" for the commands\n`,
    );
  });

  test.each([
    [["rotate"], "--secret-id is required"],
    [["rotate", "--secret-id="], "--secret-id is required"],
    [["rotate", "--secret-id"], "Option '--secret-id <value>' argument missing"],
    [["status", "--secret-id", "x", "--verbose"], "Unknown option '--verbose'"],
    [
      ["put-api-key", "--secret-id", "x", "--skip-check=yes"],
      "Option '--skip-check' does not take an argument",
    ],
    [
      ["status", "--secret-id", "x", "--warn-hours", "25"],
      '--warn-hours must be a number of hours from 0 to 24, got "25"',
    ],
    [
      ["status", "--secret-id", "x", "--warn-hours=-1"],
      '--warn-hours must be a number of hours from 0 to 24, got "-1"',
    ],
    [
      ["status", "--secret-id", "x", "--warn-hours", "soon"],
      '--warn-hours must be a number of hours from 0 to 24, got "soon"',
    ],
  ])("%j: %s", async (args, message) => {
    const { code, err } = await cli(args, { secrets: double.client() });
    expect(code).toBe(EXIT.usage);
    expect(err).toBe(`cdktf-togai ${args[0]}: ${message}; run "cdktf-togai ${args[0]} --help"\n`);
    expect(double.calls).toEqual([]);
  });

  test.each([
    ["as a positional argument", [PASTED_KEY], "takes no positional arguments"],
    ["after a short dash", [`-${PASTED_KEY}`], "Unknown option an argument"],
  ])("a key pasted into the command line %s is never echoed", async (_, extra, message) => {
    for (const command of ["put-api-key", "rotate", "status"]) {
      const { code, out, err } = await cli([command, "--secret-id", "x", ...extra], {
        secrets: double.client(),
      });
      expect(code).toBe(EXIT.usage);
      expect(err).toContain(message);
      expect(out + err).not.toContain(PASTED_KEY.slice(1));
    }
  });

  test("without a client given, one is made but nothing is sent before usage is checked", async () => {
    const { code, err } = await cli(["status", "--secret-id", ARN, "--warn-hours", "99"]);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain("--warn-hours must be a number of hours from 0 to 24");
  });
});

describe("AWS setup failures: exit 1 with a hint", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  });

  /** An environment in which the SDK finds no region and no credentials, offline. */
  function bareAwsEnvironment(): void {
    for (const name of [
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_PROFILE",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]) {
      delete process.env[name];
    }
    process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
    process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
    process.env.AWS_EC2_METADATA_DISABLED = "true";
  }

  test("no region and a secret given by name: set AWS_REGION, or pass the full ARN", async () => {
    bareAwsEnvironment();
    const { code, err } = await cli(["status", "--secret-id", "billing/token"]);
    expect(code).toBe(EXIT.failure);
    expect(err).toMatch(/^cdktf-togai status: Region is missing\n/);
    expect(err).toContain(
      "hint: no AWS region: set AWS_REGION (or AWS_PROFILE with a region), or pass the secret's full ARN\n",
    );
  });

  test("no credentials (the region read from the ARN): the credentials hint", async () => {
    bareAwsEnvironment();
    const { code, err } = await cli(["rotate", "--secret-id", ARN]);
    expect(code).toBe(EXIT.failure);
    expect(err).toContain("hint: no AWS credentials were found: set AWS_PROFILE");
  });

  test("an AWS error that is no setup problem: its message, no hint", async () => {
    double.fault = () => ({ status: 400, type: "AccessDeniedException", message: "not allowed" });
    const { code, err } = await cli(["status", "--secret-id", ARN], { secrets: double.client() });
    expect(code).toBe(EXIT.failure);
    expect(err).toBe("cdktf-togai status: not allowed\n");
  });

  test("the client given is the one used", async () => {
    const { code } = await cli(["status", "--secret-id", "missing"], { secrets: double.client() });
    expect(code).toBe(EXIT.failure);
    expect(double.calls.map((c) => c.operation)).toEqual(["DescribeSecret"]);
  });
});
