/**
 * The `@example` of each main class compiles, as a user pastes it into a project made by
 * `cdktf init --template=typescript`, against the built package: the same check as the README's
 * snippets (test/package/readme-snippets.e2e.test.ts), applied to the JSDoc that API.md shows.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { PROJECT_DIR, typeCheckConsumer } from "../package/project-tools";

/** The classes that must carry an example, and where they live. */
const DOCUMENTED: Record<string, string> = {
  TogaiTokenRotation: "lib/constructs/token-rotation.ts",
  TogaiApiKeySecret: "lib/constructs/api-key-secret.ts",
  TogaiTokenProvider: "lib/runtime/token-provider.ts",
  TogaiClient: "lib/runtime/client.ts",
  TogaiEventBuffer: "lib/runtime/event-buffer.ts",
};

/** The compiler options of cdktf's TypeScript template, as in the README snippets' check. */
const TEMPLATE_OPTIONS: ts.CompilerOptions = {
  alwaysStrict: true,
  experimentalDecorators: true,
  lib: ["lib.es2018.d.ts"],
  module: ts.ModuleKind.CommonJS,
  noImplicitAny: true,
  noImplicitReturns: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  strict: true,
  target: ts.ScriptTarget.ES2018,
  skipLibCheck: true,
};

/** The `@example` blocks of the JSDoc right above `export class <name>`. */
function examplesOf(source: string, name: string): string[] {
  const at = source.indexOf(`export class ${name}`);
  if (at < 0) throw new Error(`no class ${name}`);
  const start = source.lastIndexOf("/**", at);
  const doc = source.slice(start, source.lastIndexOf("*/", at));
  const lines = doc.split("\n").map((l) => l.replace(/^\s*\/?\*\*? ?/, ""));
  const examples: string[] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (line.startsWith("@")) {
      if (current) examples.push(current.join("\n"));
      current = line.startsWith("@example") ? [] : undefined;
    } else current?.push(line);
  }
  if (current) examples.push(current.join("\n"));
  return examples.map((e) => `${e.trim()}\n`);
}

const examples = Object.entries(DOCUMENTED).map(([name, file]) => ({
  name,
  examples: examplesOf(readFileSync(join(PROJECT_DIR, file), "utf8"), name),
}));

test.each(examples)("$name has an @example that imports from the package", ({ examples }) => {
  expect(examples.length).toBeGreaterThanOrEqual(1);
  for (const example of examples) expect(example).toMatch(/from "cdktf-togai(\/runtime)?";/);
});

test("every @example compiles under the cdktf template's tsconfig", () => {
  if (!existsSync(join(PROJECT_DIR, "dist", "lib", "index.d.ts"))) {
    throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
  }
  const files = Object.fromEntries(
    examples.flatMap(({ name, examples }) =>
      examples.map((code, i) => [`${name}-example-${i + 1}.ts`, code]),
    ),
  );
  expect(Object.keys(files).length).toBe(Object.keys(DOCUMENTED).length);
  expect(typeCheckConsumer(files, TEMPLATE_OPTIONS)).toEqual([]);
}, 60_000);

test("the extraction reads an example, and a broken one is caught (the check can fail)", () => {
  const source = [
    "/**",
    " * A widget.",
    " *",
    " * @example",
    ' * import { TogaiTokenRotation } from "cdktf-togai";',
    " * declare const t: TogaiTokenRotation;",
    " * t.grantRead(consumerRole);",
    " */",
    "export class Widget {}",
  ].join("\n");
  const [example] = examplesOf(source, "Widget");
  expect(example).toBe(
    'import { TogaiTokenRotation } from "cdktf-togai";\ndeclare const t: TogaiTokenRotation;\nt.grantRead(consumerRole);\n',
  );
  expect(typeCheckConsumer({ "broken.ts": example }, TEMPLATE_OPTIONS).join("\n")).toContain(
    "Cannot find name 'consumerRole'",
  );
}, 60_000);
