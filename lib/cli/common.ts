/** What every operator command shares: exit codes, I/O, typed errors and option parsing. */
import { parseArgs } from "node:util";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** Exit codes, documented in `--help` and the README. */
export const EXIT = { ok: 0, failure: 1, usage: 2, keyRejected: 3, unhealthy: 4 } as const;

/** What a command reads from and writes to: the process's streams and environment, or a test's. */
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

/** Bad usage: exit 2 with a pointer to --help. */
export class UsageError extends Error {}
/** A failure with its own exit code. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * Parses a command's arguments: `--secret-id` (required) and the command's own `extra` options,
 * strictly. A parse error never echoes an argument's value, which may be a key pasted by mistake.
 */
export function options<T extends Record<string, { type: "string" | "boolean" }>>(
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
