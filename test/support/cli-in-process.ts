/**
 * Runs the operator command in-process, as the unit lane does: the test's streams and
 * environment, and a Secrets Manager client of the test's choosing (the in-memory double).
 */
import { PassThrough } from "node:stream";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type CliIo, runCli } from "../../lib/cli/cli";

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface CliRunOptions {
  /** Piped to stdin and ended; or a stream the test drives itself (a terminal stand-in). */
  readonly stdin?: string | CliIo["stdin"];
  readonly env?: NodeJS.ProcessEnv;
  readonly secrets?: SecretsManagerClient;
}

/** Runs `args`; resolves to the exit code and everything printed. */
export async function runCliInProcess(
  args: string[],
  options: CliRunOptions = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    err += d;
  });
  let stdin = options.stdin;
  if (stdin === undefined || typeof stdin === "string") {
    const piped = new PassThrough();
    piped.end(stdin ?? "");
    stdin = piped;
  }
  const code = await runCli(args, {
    stdin,
    stdout,
    stderr,
    env: options.env ?? {},
    secrets: options.secrets,
  });
  return { code, out, err };
}
