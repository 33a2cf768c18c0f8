/**
 * The `cdktf-togai` operator command. The secret key is read from stdin or a file, never from
 * the argument list (where `ps` and shell history would show it), and is never printed.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { startRotationNow } from "../aws/start-rotation";
import { TOGAI_PRODUCTION_BASE_URL } from "../contract";
import { CliFailure, type CliIo, EXIT, options, UsageError } from "./common";
import { awsSetupHint, clientRegion, packageVersion, secretIdArgument } from "./environment";
import { putApiKey } from "./put-api-key";
import { formatStatus, readStatus } from "./status";

export { type CliIo, EXIT } from "./common";

const HELP = {
  main: `Usage: cdktf-togai <command> [options]

Operate the secrets that cdktf-togai's constructs deploy.

Commands:
  put-api-key   Store Togai's secret key (from stdin or --file), checked with Togai first
  rotate        Start a rotation of the token secret now
  status        Show rotation state and the current token's expiry

Run "cdktf-togai <command> --help" for a command's options; "cdktf-togai --version" for the version.

Exit codes: 0 success; 1 failure; 2 bad usage; 3 Togai rejected the key (nothing stored);
4 status found a problem (rotation disabled or stuck, no token or not the expected JSON,
token expired or expiring soon).
AWS credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION...);
without a region, the one in the secret's ARN is used.`,
  "put-api-key": `Usage: cdktf-togai put-api-key --secret-id ID [--token-secret-id ID] [--file PATH]
                                [--api-base-url URL] [--skip-check]

Reads Togai's secret key from stdin (or --file; never from the command line), checks it with
Togai's POST /authenticate, stores it as the API-key secret's AWSCURRENT value, then, with
--token-secret-id, starts a rotation so that a token is minted from the new key at once.

  --secret-id ID         ARN or name of the API-key secret (TogaiApiKeySecret)
  --token-secret-id ID   ARN or name of the token secret to rotate afterwards
  --file PATH            read the key from this file instead of stdin
  --api-base-url URL     Togai API to check the key with (default: TOGAI_API_BASE_URL, then
                         the token secret's apiBaseUrl, then ${TOGAI_PRODUCTION_BASE_URL});
                         https only, or plain http to 127.0.0.1/localhost (else exit 2)
  --skip-check           store the key without checking it with Togai

A rejected key exits with 3 and leaves the secret unchanged.`,
  rotate: `Usage: cdktf-togai rotate --secret-id ID

Starts a rotation of the token secret now (e.g. after a new key was put). An AWSPENDING label
left by an unfinished rotation is cleared first, so that the new rotation is not refused.

  --secret-id ID   ARN or name of the token secret (TogaiTokenRotation)`,
  status: `Usage: cdktf-togai status --secret-id ID [--warn-hours N] [--json]

Shows whether rotation is enabled, its schedule, the last and next rotation, and the current
token's expiry and hours left. Exits with 4 when rotation is disabled or stuck (AWSPENDING on a
version other than AWSCURRENT, or no successful rotation for two intervals), when there is no
token or the secret does not hold the expected JSON, or when the token has fewer than
--warn-hours hours left.

  --secret-id ID    ARN or name of the token secret (TogaiTokenRotation)
  --warn-hours N    hours of token life below which status warns (default 10: a token
                    lives 24 h and is replaced within 12 h at the longest interval)
  --json            print one JSON object, for scripts`,
} as const;

type Command = keyof typeof HELP;

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const print = (line: string) => io.stdout.write(`${line}\n`);
  if (!command || command === "--help" || command === "-h" || command === "help") {
    print(HELP.main);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    print(packageVersion());
    return EXIT.ok;
  }
  if (!(command in HELP) || command === "main") {
    io.stderr.write(
      `cdktf-togai: unknown command "${command}"; run "cdktf-togai --help" for the commands\n`,
    );
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    print(HELP[command as Command]);
    return EXIT.ok;
  }
  const secretId = secretIdArgument(rest);
  const secrets =
    io.secrets ?? new SecretsManagerClient({ region: clientRegion(io.env, secretId) });
  try {
    switch (command as Exclude<Command, "main">) {
      case "put-api-key":
        return await putApiKey(rest, io, secrets, print, (id) => rotate(id, secrets, print));
      case "rotate":
        return await rotate(options(rest, {}).secretId, secrets, print);
      case "status":
        return await status(rest, secrets, print);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `cdktf-togai ${command}: ${error.message}; run "cdktf-togai ${command} --help"\n`,
      );
      return EXIT.usage;
    }
    const code = error instanceof CliFailure ? error.code : EXIT.failure;
    const hint = awsSetupHint(error, secretId);
    io.stderr.write(
      `cdktf-togai ${command}: ${(error as Error).message}${hint ? `\n  hint: ${hint}` : ""}\n`,
    );
    return code;
  }
  return EXIT.failure;
}

async function rotate(
  secretId: string,
  secrets: SecretsManagerClient,
  print: (line: string) => void,
): Promise<number> {
  // A failure (e.g. no rotation function) reaches runCli, which prints it and exits 1.
  const started = await startRotationNow(secrets, secretId);
  for (const versionId of started.clearedVersionIds) {
    print(`cleared AWSPENDING left by an unfinished rotation (version ${versionId})`);
  }
  if (started.joinedConcurrentRotation) {
    print(
      `a rotation started at the same moment (version ${started.versionId}) is the one that runs`,
    );
  }
  print(
    `rotation of ${started.secretArn} started (version ${started.versionId}); the new token becomes AWSCURRENT when the function finishes: check with "cdktf-togai status --secret-id ${secretId}"`,
  );
  return EXIT.ok;
}

async function status(
  args: string[],
  secrets: SecretsManagerClient,
  print: (line: string) => void,
): Promise<number> {
  const { secretId, values } = options(args, {
    "warn-hours": { type: "string" },
    json: { type: "boolean" },
  });
  const warnHours = values["warn-hours"] === undefined ? 10 : Number(values["warn-hours"]);
  if (!Number.isFinite(warnHours) || warnHours < 0 || warnHours > 24) {
    throw new UsageError(
      `--warn-hours must be a number of hours from 0 to 24, got "${values["warn-hours"]}"`,
    );
  }
  const report = await readStatus(secrets, secretId, warnHours);
  if (values.json) print(JSON.stringify(report));
  else for (const line of formatStatus(report, secretId)) print(line);
  return report.problems.length > 0 ? EXIT.unhealthy : EXIT.ok;
}
