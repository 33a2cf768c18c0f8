/**
 * Error names survive bundling. Invariant: every error class `cdktf-togai/runtime` exports names
 * itself with a literal `name` equal to its export name, also in a consumer bundled with
 * `esbuild --minify` (no `--keep-names`), where class names are renamed; `instanceof` holds there
 * too; the rotation function's errors are not exported to consumers.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import * as runtime from "../../lib/runtime/index";

const RUNTIME_ENTRY = join(__dirname, "..", "..", "lib", "runtime", "index.ts");

/** Errors exported by the runtime entry, by export name. */
function exportedErrors(module: Record<string, unknown>): Array<[string, ErrorConstructor]> {
  return Object.entries(module).filter(
    (entry): entry is [string, ErrorConstructor] =>
      typeof entry[1] === "function" &&
      (entry[1] as { prototype?: unknown }).prototype instanceof Error,
  );
}

// Arguments that fit every error constructor: (message, status | index | list, path | list, ...).
const ARGS = ["what went wrong", 429, "/ingestBatch", "2026-11-28T08:00:00.000Z"];

const CONSUMER = `
import * as runtime from ${JSON.stringify(RUNTIME_ENTRY)};

async function main() {
  const errors = [];
  for (const [key, value] of Object.entries(runtime)) {
    if (typeof value !== "function" || !(value.prototype instanceof Error)) continue;
    const err = new value(...${JSON.stringify(ARGS)});
    errors.push({ key, name: err.name, own: err instanceof value,
      base: err instanceof runtime.TogaiRuntimeError, className: value.name });
  }
  const thrown = [];
  try {
    runtime.validateEvent({ schemaName: "" }, 0);
  } catch (e) {
    thrown.push([e.name, e instanceof runtime.InvalidEventError]);
  }
  const client = new runtime.TogaiClient({
    tokens: { getTokenSecret: async () => { throw new Error("unused"); }, forceRefresh: async () => "" },
  });
  await client.close();
  try {
    await client.ingestBatch([]);
  } catch (e) {
    thrown.push([e.name, e instanceof runtime.TogaiClientClosedError]);
  }
  process.stdout.write(JSON.stringify({ errors, thrown }));
}
main();
`;

test("every exported error's name is its export name, a literal", () => {
  const errors = exportedErrors(runtime as unknown as Record<string, unknown>);

  expect(errors.length).toBeGreaterThanOrEqual(20);
  for (const [key, ErrorClass] of errors) {
    const error = new (ErrorClass as unknown as new (...args: unknown[]) => Error)(...ARGS);
    expect({ key, name: error.name }).toEqual({ key, name: key });
    expect(Object.hasOwn(error, "name")).toBe(true);
  }
  expect(Object.keys(runtime)).not.toContain("RotationError");
});

test("in a consumer bundled with esbuild --minify, err.name and instanceof still hold", async () => {
  const dir = mkdtempSync(join(tmpdir(), "togai-error-names-"));
  try {
    const bundled = await build({
      stdin: { contents: CONSUMER, resolveDir: dir, loader: "ts" },
      bundle: true,
      minify: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      write: false,
      logLevel: "silent",
    });
    const file = join(dir, "consumer.js");
    writeFileSync(file, bundled.outputFiles[0].contents);

    const run = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 });

    expect(run.stderr).toBe("");
    const { errors, thrown } = JSON.parse(run.stdout) as {
      errors: Array<{ key: string; name: string; own: boolean; base: boolean; className: string }>;
      thrown: Array<[string, boolean]>;
    };
    expect(errors.map((e) => e.key).sort()).toEqual(
      exportedErrors(runtime as unknown as Record<string, unknown>)
        .map(([key]) => key)
        .sort(),
    );
    for (const e of errors) {
      expect(e).toEqual({ key: e.key, name: e.key, own: true, base: true, className: e.className });
    }
    // The minifier did rename the classes: the names above come from the literals.
    expect(errors.filter((e) => e.className !== e.key).length).toBeGreaterThan(errors.length / 2);
    expect(thrown).toEqual([
      ["InvalidEventError", true],
      ["TogaiClientClosedError", true],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
