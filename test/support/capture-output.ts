/**
 * Captures everything written to stdout and stderr (logs included) while a test runs, so that the
 * test can search it for secrets.
 */
export class OutputCapture {
  private text = "";
  private readonly originals = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };

  start(): this {
    const collect = (chunk: unknown): boolean => {
      this.text += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString();
      return true;
    };
    process.stdout.write = collect as typeof process.stdout.write;
    process.stderr.write = collect as typeof process.stderr.write;
    return this;
  }

  stop(): string {
    process.stdout.write = this.originals.stdout;
    process.stderr.write = this.originals.stderr;
    return this.text;
  }

  /** Adds text captured elsewhere (child process output, error messages). */
  add(text: string): void {
    this.text += text;
  }

  get captured(): string {
    return this.text;
  }
}

/** The secrets from `secrets` that occur in `text` (shortened, so a failure does not leak them). */
export function leakedSecrets(text: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    if (secret.length >= 8 && text.includes(secret)) found.push(`${secret.slice(0, 6)}…`);
    // A JWT is also searched for by its signature alone, in case it was split or re-encoded.
    const signature = secret.split(".")[2];
    if (signature && signature.length >= 16 && text.includes(signature)) {
      found.push(`signature ${signature.slice(0, 6)}…`);
    }
  }
  return found;
}
