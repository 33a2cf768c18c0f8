/** Helpers of the package tests: run a command, read the README's snippets, measure a folder. */
import { spawnSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";

export const PROJECT_DIR = join(__dirname, "..", "..");

/** Runs a command; returns its stdout, or throws with the command, exit code and both outputs. */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): string {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) exited with ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** The ```ts blocks of the README, in order. */
export function readmeTypeScriptSnippets(): string[] {
  const readme = readFileSync(join(PROJECT_DIR, "README.md"), "utf8");
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** Bytes of all files under `dir` (symbolic links counted as links, not followed). */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : lstatSync(path).size;
  }
  return total;
}

/** "12.3 MB" */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Type-checks `files` (name to code) in a scratch consumer project whose node_modules links to
 * this package (resolved through its package.json onto dist/, as installed) and to its peers.
 * Returns the diagnostics, empty when the consumer compiles.
 */
export function typeCheckConsumer(
  files: Record<string, string>,
  options: ts.CompilerOptions,
  packageType: "commonjs" | "module" = "commonjs",
): string[] {
  const dir = mkdtempSync(join(tmpdir(), "togai-consumer-"));
  try {
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "consumer", type: packageType }),
    );
    const modules = join(dir, "node_modules");
    mkdirSync(join(modules, "@cdktf"), { recursive: true });
    mkdirSync(join(modules, "@types"), { recursive: true });
    symlinkSync(PROJECT_DIR, join(modules, "cdktf-togai"), "dir");
    for (const peer of ["cdktf", "constructs", "@cdktf/provider-aws", "@types/node"]) {
      symlinkSync(join(PROJECT_DIR, "node_modules", peer), join(modules, peer), "dir");
    }
    const paths = Object.entries(files).map(([name, code]) => {
      writeFileSync(join(dir, name), code);
      return join(dir, name);
    });
    const program = ts.createProgram(paths, {
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [join(modules, "@types")],
      ...options,
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.file ? `${d.file.fileName.slice(dir.length + 1)}: ` : ""}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
