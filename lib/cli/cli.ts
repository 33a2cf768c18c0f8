/**
 * The `cdktf-togai` operator command. The secret key is read from stdin or a file, never from
 * the argument list (where `ps` and shell history would show it), and is never printed.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readSecretString } from "../aws/secrets";
import { startRotationNow } from "../aws/start-rotation";
import { TOGAI_PRODUCTION_BASE_URL } from "../contract";
import { TogaiAuthenticationError } from "../togai/errors";
import { authenticate } from "../togai/togai-api";
import { parseTokenSecretValue } from "../togai/token-secret";
import { formatStatus, readStatus } from "./status";

/** Exit codes, documented in `--help` and the README. */
export const EXIT = { ok: 0, failure: 1, usage: 2, keyRejected: 3, unhealthy: 4 } as const;

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & {
    isTTY?: boolean;
    setRawMode?: (mode: boolean) => unknown;
  };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Secrets Manager client. @default a client with the default credential chain */
  readonly secrets?: SecretsManagerClient;
}

const HELP = {
  main: `Usage: cdktf-togai <command> [options]

Operate the secrets that cdktf-togai's constructs deploy.

Commands:
  put-api-key   Store Togai's secret key (from stdin or --file), checked with Togai first
  rotate        Start a rotation of the token secret now
  status        Show rotation state and the current token's expiry

Run "cdktf-togai <command> --help" for a command's options.

Exit codes: 0 success; 1 failure; 2 bad usage; 3 Togai rejected the key (nothing stored);
4 status found a problem (rotation disabled or stuck, no token or not the expected JSON,
token expired or expiring soon).
AWS credentials and region come from the usual AWS environment (AWS_PROFILE, AWS_REGION...).`,
  "put-api-key": `Usage: cdktf-togai put-api-key --secret-id ID [--token-secret-id ID] [--file PATH]
                                [--api-base-url URL] [--skip-check]

Reads Togai's secret key from stdin (or --file; never from the command line), checks it with
Togai's POST /authenticate, stores it as the API-key secret's AWSCURRENT value, then, with
--token-secret-id, starts a rotation so that a token is minted from the new key at once.

  --secret-id ID         ARN or name of the API-key secret (TogaiApiKeySecret)
  --token-secret-id ID   ARN or name of the token secret to rotate afterwards
  --file PATH            read the key from this file instead of stdin
  --api-base-url URL     Togai API to check the key with (default: TOGAI_API_BASE_URL, then
                         the token secret's apiBaseUrl, then ${TOGAI_PRODUCTION_BASE_URL})
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
  --warn-hours N    hours of token life below which status warns (default 12)
  --json            print one JSON object, for scripts`,
} as const;

type Command = keyof typeof HELP;

class UsageError extends Error {}
class CliFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const print = (line: string) => io.stdout.write(`${line}\n`);
  if (!command || command === "--help" || command === "-h" || command === "help") {
    print(HELP.main);
    return command ? EXIT.ok : EXIT.usage;
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
  const secrets = io.secrets ?? new SecretsManagerClient({});
  try {
    switch (command as Exclude<Command, "main">) {
      case "put-api-key":
        return await putApiKey(rest, io, secrets, print);
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
    io.stderr.write(`cdktf-togai ${command}: ${(error as Error).message}\n`);
    return code;
  }
  return EXIT.failure;
}

function options<T extends Record<string, { type: "string" | "boolean" }>>(
  args: string[],
  extra: T,
) {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { "secret-id": { type: "string" }, ...extra },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    // A positional argument may be a key pasted by mistake: never echo it back.
    const message = (error as Error).message.includes("positional")
      ? "takes no positional arguments (a secret key is read from stdin or --file, never from the command line)"
      : (error as Error).message.replace(/'[^']*'/g, (m) =>
          m.startsWith("'--") ? m : "an argument",
        );
    throw new UsageError(message);
  }
  const secretId = parsed.values["secret-id"];
  if (typeof secretId !== "string" || secretId.length === 0)
    throw new UsageError("--secret-id is required");
  return { secretId, values: parsed.values as Record<string, string | boolean | undefined> };
}

async function readKey(io: CliIo, file: string | undefined): Promise<string> {
  if (file) return readFileSync(file, "utf8").trim();
  if (io.stdin.isTTY)
    io.stderr.write("Paste Togai's secret key and press Enter (input is not shown): ");
  const raw = await readAll(io);
  if (io.stdin.isTTY) io.stderr.write("\n");
  return raw.trim();
}

const CTRL_C = "\u0003";
const LINE_ENDS = new Set(["\r", "\n", "\u0004"]);

/** Reads stdin to the end (or to the first newline on a terminal, with echo off). */
function readAll(io: CliIo): Promise<string> {
  const tty = io.stdin.isTTY && typeof io.stdin.setRawMode === "function";
  if (tty) io.stdin.setRawMode?.(true);
  return new Promise((resolve, reject) => {
    let text = "";
    const done = () => {
      if (tty) io.stdin.setRawMode?.(false);
      io.stdin.removeAllListeners("data");
      io.stdin.pause();
      resolve(text);
    };
    io.stdin.on("data", (chunk: Buffer | string) => {
      text += chunk.toString();
      if (!tty) return;
      if (text.includes(CTRL_C)) return reject(new CliFailure("cancelled", EXIT.failure));
      const end = [...text].findIndex((c) => LINE_ENDS.has(c));
      if (end >= 0) {
        text = [...text].slice(0, end).join("");
        done();
      }
    });
    io.stdin.once("end", done);
    io.stdin.once("error", reject);
    io.stdin.resume();
  });
}

async function putApiKey(
  args: string[],
  io: CliIo,
  secrets: SecretsManagerClient,
  print: (line: string) => void,
): Promise<number> {
  const { secretId, values } = options(args, {
    "token-secret-id": { type: "string" },
    file: { type: "string" },
    "api-base-url": { type: "string" },
    "skip-check": { type: "boolean" },
  });
  const tokenSecretId = values["token-secret-id"] as string | undefined;
  const key = await readKey(io, values.file as string | undefined);
  if (!key)
    throw new UsageError("no key was read: pipe Togai's secret key to stdin, or give --file PATH");
  if (/\s/.test(key))
    throw new UsageError("the key read contains whitespace: give exactly the key, on one line");

  if (!values["skip-check"]) {
    const baseUrl =
      (values["api-base-url"] as string | undefined) ??
      io.env.TOGAI_API_BASE_URL ??
      (await tokenBaseUrl(secrets, tokenSecretId)) ??
      TOGAI_PRODUCTION_BASE_URL;
    try {
      await authenticate(baseUrl, key);
    } catch (error) {
      if (error instanceof TogaiAuthenticationError) {
        throw new CliFailure(
          `Togai at ${baseUrl} rejected this key (HTTP ${error.status}); ${secretId} was not changed`,
          EXIT.keyRejected,
        );
      }
      throw new CliFailure(
        `could not check the key with Togai at ${baseUrl} (${(error as Error).message}); nothing was stored (--skip-check stores it unchecked)`,
        EXIT.failure,
      );
    }
    print(`Togai at ${baseUrl} accepted the key`);
  }
  const out = await secrets.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: key }),
  );
  print(`stored the key in ${out.ARN ?? secretId} (version ${out.VersionId})`);
  if (tokenSecretId) await rotate(tokenSecretId, secrets, print);
  return EXIT.ok;
}

async function tokenBaseUrl(
  secrets: SecretsManagerClient,
  tokenSecretId?: string,
): Promise<string | undefined> {
  if (!tokenSecretId) return undefined;
  const stored = await readSecretString(secrets, { secretId: tokenSecretId });
  if (!stored) return undefined;
  try {
    return parseTokenSecretValue(stored.value, tokenSecretId).apiBaseUrl;
  } catch {
    return undefined;
  }
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
  const warnHours = values["warn-hours"] === undefined ? 12 : Number(values["warn-hours"]);
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
