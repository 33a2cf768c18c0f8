/**
 * Invariant: every TypeScript snippet in the README compiles, as a user pastes it into a project
 * made by `cdktf init --template=typescript` (its compiler options), against the built package.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { PROJECT_DIR, readmeTypeScriptSnippets, typeCheckConsumer } from "./project-tools";

/** The compiler options of cdktf's TypeScript template (tsconfig.json), minus emit settings. */
const TEMPLATE_OPTIONS: ts.CompilerOptions = {
  alwaysStrict: true,
  experimentalDecorators: true,
  lib: ["lib.es2018.d.ts"],
  module: ts.ModuleKind.CommonJS,
  noFallthroughCasesInSwitch: true,
  noImplicitAny: true,
  noImplicitReturns: true,
  noImplicitThis: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  resolveJsonModule: true,
  strict: true,
  target: ts.ScriptTarget.ES2018,
  skipLibCheck: true,
};

describe("README snippets", () => {
  const snippets = readmeTypeScriptSnippets();

  test("the README has TypeScript snippets to check (construct use and a consumer)", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(2);
    expect(snippets.some((s) => s.includes('from "cdktf-togai"'))).toBe(true);
    expect(snippets.some((s) => s.includes('from "cdktf-togai/runtime"'))).toBe(true);
  });

  test("each compiles under the cdktf template's tsconfig", () => {
    if (!existsSync(join(PROJECT_DIR, "dist", "lib", "index.d.ts"))) {
      throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    }
    // One module per snippet, so each stands on its own imports.
    const files = Object.fromEntries(snippets.map((code, i) => [`snippet-${i + 1}.ts`, code]));
    expect(typeCheckConsumer(files, TEMPLATE_OPTIONS)).toEqual([]);
  });

  test("a snippet using an undefined name is caught (the check can fail)", () => {
    const broken =
      'import { TogaiTokenRotation } from "cdktf-togai";\ndeclare const t: TogaiTokenRotation;\nt.grantRead(consumerRole);\n';
    expect(typeCheckConsumer({ "broken.ts": broken }, TEMPLATE_OPTIONS).join("\n")).toContain(
      "Cannot find name 'consumerRole'",
    );
  });
});
