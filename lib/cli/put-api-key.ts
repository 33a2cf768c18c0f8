/** `cdktf-togai put-api-key`: the key from stdin or a file, checked with Togai, then stored. */
import { readFileSync } from "node:fs";
import { PutSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readSecretString } from "../aws/secrets";
import { TOGAI_PRODUCTION_BASE_URL } from "../contract";
import { TogaiAuthenticationError } from "../togai/errors";
import { authenticate } from "../togai/togai-api";
import { parseTokenSecretValue } from "../togai/token-secret";
import { CliFailure, type CliIo, EXIT, options, UsageError } from "./common";
import { unsafeBaseUrlReason } from "./environment";

async function readKey(io: CliIo, file: string | undefined): Promise<string> {
  if (file) return readKeyFile(file);
  if (io.stdin.isTTY)
    io.stderr.write("Paste Togai's secret key and press Enter (input is not shown): ");
  const raw = await readAll(io);
  if (io.stdin.isTTY) io.stderr.write("\n");
  return raw.trim();
}

/**
 * The key from `--file`. A failure never names the file: a key passed by mistake as
 * `--file <key>` would otherwise be printed back.
 */
function readKeyFile(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EISDIR"
          ? "is a folder"
          : code === "EACCES" || code === "EPERM"
            ? "cannot be read (permission denied)"
            : `cannot be read (${code ?? "unknown error"})`;
    throw new UsageError(
      `the file named by --file ${why} (its name is not repeated here, in case a key was given by mistake): give the path of a file holding the key, or pipe the key to stdin`,
    );
  }
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

export async function putApiKey(
  args: string[],
  io: CliIo,
  secrets: SecretsManagerClient,
  print: (line: string) => void,
  rotate: (tokenSecretId: string) => Promise<number>,
): Promise<number> {
  const { secretId, values } = options(args, {
    "token-secret-id": { type: "string" },
    file: { type: "string" },
    "api-base-url": { type: "string" },
    "skip-check": { type: "boolean" },
  });
  const tokenSecretId = values["token-secret-id"] as string | undefined;
  // A URL given up front is refused before anything is read or sent.
  const givenBaseUrl = (values["api-base-url"] as string | undefined) ?? io.env.TOGAI_API_BASE_URL;
  if (!values["skip-check"] && givenBaseUrl) refuseUnsafeBaseUrl(givenBaseUrl);
  const key = await readKey(io, values.file as string | undefined);
  if (!key)
    throw new UsageError("no key was read: pipe Togai's secret key to stdin, or give --file PATH");
  if (/\s/.test(key))
    throw new UsageError("the key read contains whitespace: give exactly the key, on one line");

  if (!values["skip-check"]) {
    const baseUrl =
      givenBaseUrl ?? (await tokenBaseUrl(secrets, tokenSecretId)) ?? TOGAI_PRODUCTION_BASE_URL;
    refuseUnsafeBaseUrl(baseUrl);
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
  if (tokenSecretId) await rotate(tokenSecretId);
  return EXIT.ok;
}

function refuseUnsafeBaseUrl(baseUrl: string): void {
  const reason = unsafeBaseUrlReason(baseUrl);
  if (reason) throw new UsageError(reason);
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
