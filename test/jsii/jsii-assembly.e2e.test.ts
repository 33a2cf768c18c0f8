/**
 * The construct API as users of other cdktf languages get it: the jsii assembly compiles with no
 * error and no warning, carries the constants as static members, documents every prop, keeps
 * the runtime's dependencies out, and API.md is current. The Python example uses only names the
 * generated Python package defines.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const STAGE = join(ROOT, "build", "jsii");

interface JsiiType {
  readonly fqn: string;
  readonly kind: "class" | "interface" | "enum";
  readonly docs?: { readonly summary?: string };
  readonly properties?: ReadonlyArray<{
    readonly name: string;
    readonly static?: boolean;
    readonly const?: boolean;
    readonly docs?: { readonly summary?: string; readonly default?: string };
    readonly optional?: boolean;
    readonly type: unknown;
  }>;
}

let assembly: { dependencies?: Record<string, string>; types: Record<string, JsiiType> };
let buildOutput: string;

beforeAll(() => {
  // --check: the build fails when the committed API.md differs from the generated one.
  const result = spawnSync(
    join(ROOT, "node_modules", ".bin", "tsx"),
    [join(ROOT, "scripts", "build-jsii.ts"), "--check"],
    { cwd: ROOT, encoding: "utf8" },
  );
  buildOutput = `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0) throw new Error(`the jsii build failed:\n${buildOutput}`);
  assembly = JSON.parse(readFileSync(join(STAGE, ".jsii"), "utf8"));
}, 180_000);

test("jsii compiles the construct API with zero errors and zero warnings", () => {
  expect(buildOutput).toMatch(/Errors: 0 \| Warnings: 0|^(?![\s\S]*warning JSII)/);
  expect(buildOutput).not.toMatch(/warning JSII\d+/);
  expect(buildOutput).toContain("API.md is current");
});

test("the assembly depends only on jsii libraries (the runtime's SDK and undici stay out)", () => {
  expect(Object.keys(assembly.dependencies ?? {}).sort()).toEqual([
    "@cdktf/provider-aws",
    "cdktf",
    "constructs",
  ]);
  const shipped = readFileSync(join(STAGE, "lib", "index.js"), "utf8");
  expect(shipped).not.toMatch(/@aws-sdk|undici/);
  expect(existsSync(join(STAGE, "assets", "rotation-function.zip"))).toBe(true);
});

test("base URLs and limits are static members, usable from every language", () => {
  const statics = (fqn: string) =>
    Object.fromEntries(
      (assembly.types[fqn]?.properties ?? [])
        .filter((p) => p.static && p.const)
        .map((p) => [p.name, p]),
    );
  expect(Object.keys(statics("cdktf-togai.TogaiBaseUrl")).sort()).toEqual([
    "PRODUCTION",
    "SANDBOX",
  ]);
  expect(Object.keys(statics("cdktf-togai.TogaiRotationLimits"))).toEqual(
    expect.arrayContaining([
      "MIN_INTERVAL_HOURS",
      "MAX_INTERVAL_HOURS",
      "DEFAULT_INTERVAL_HOURS",
      "DEFAULT_MIN_TOKEN_LIFE_HOURS",
      "TOKEN_LIFETIME_HOURS",
    ]),
  );
  expect(Object.keys(statics("cdktf-togai.TogaiEnvironment"))).toContain("TOKEN_SECRET_ARN");
  expect(Object.keys(statics("cdktf-togai.TogaiLambdaRuntime")).sort()).toEqual([
    "ALL",
    "NODEJS_20_X",
    "NODEJS_22_X",
  ]);
  expect(Object.keys(statics("cdktf-togai.TogaiLambdaArchitecture")).sort()).toEqual([
    "ALL",
    "ARM_64",
    "X86_64",
  ]);
});

test("an existing key secret comes in through fromSecretArn, and the constructs carry examples", () => {
  const apiKey = assembly.types["cdktf-togai.TogaiApiKeySecret"] as JsiiType & {
    methods?: ReadonlyArray<{ name: string; static?: boolean; returns?: { type: unknown } }>;
  };
  const from = apiKey.methods?.find((m) => m.name === "fromSecretArn");
  expect(from?.static).toBe(true);
  expect(JSON.stringify(from?.returns)).toContain("cdktf-togai.ITogaiApiKeySecret");
  expect(assembly.types["cdktf-togai.ITogaiApiKeySecret"]?.kind).toBe("interface");
  for (const fqn of ["cdktf-togai.TogaiTokenRotation", "cdktf-togai.TogaiApiKeySecret"]) {
    const docs = assembly.types[fqn]?.docs as { example?: string } | undefined;
    expect(docs?.example).toContain('from "cdktf-togai"');
  }
});

test("every prop of every struct is documented, optional ones with their default, none typed any", () => {
  const structs = Object.values(assembly.types).filter(
    (t) => t.kind === "interface" && t.fqn.startsWith("cdktf-togai."),
  );
  expect(structs.length).toBeGreaterThan(3);
  const problems: string[] = [];
  for (const struct of structs) {
    for (const prop of struct.properties ?? []) {
      const where = `${struct.fqn}.${prop.name}`;
      if (!prop.docs?.summary) problems.push(`${where}: no doc`);
      if (prop.optional && struct.fqn.endsWith("Props") && prop.docs?.default === undefined) {
        problems.push(`${where}: no @default`);
      }
      if (JSON.stringify(prop.type).includes('"any"')) problems.push(`${where}: typed any`);
    }
  }
  expect(problems).toEqual([]);
});

test("bindings are generated for Python, Java, .NET and Go", () => {
  const dist = join(STAGE, "dist");
  expect(existsSync(join(dist, "python", "src", "cdktf_togai", "__init__.py"))).toBe(true);
  expect(existsSync(join(dist, "java", "pom.xml"))).toBe(true);
  expect(existsSync(join(dist, "dotnet", "CdktfTogai", "CdktfTogai.csproj"))).toBe(true);
  expect(existsSync(join(dist, "go", "cdktftogai", "go.mod"))).toBe(true);
});

test("every language's package carries the assembly, the code and the zip, and nothing else", () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const tarball = join(STAGE, "dist", "js", `cdktf-togai@${version}.jsii.tgz`);
  const entries = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n");
  expect(entries).toEqual(
    expect.arrayContaining([
      "package/.jsii",
      "package/assets/rotation-function.zip",
      "package/lib/index.js",
      "package/README.md",
      "package/LICENSE",
    ]),
  );
  const unexpected = entries.filter(
    (e) =>
      !/^package\/(\.jsii|package\.json|README\.md|LICENSE|assets\/rotation-function\.zip|lib\/.+\.(js|d\.ts))$/.test(
        e,
      ),
  );
  expect(unexpected).toEqual([]);
  const readme = readFileSync(join(STAGE, "README.md"), "utf8");
  expect(readme).toContain("from cdktf_togai import");
});

test("the Python example compiles and uses only names and keywords the Python package defines", () => {
  const example = join(ROOT, "examples", "basic-python", "main.py");
  const generated = join(STAGE, "dist", "python", "src", "cdktf_togai", "__init__.py");
  const python = process.env.PYTHON ?? "python3";
  const checker = `
import ast, sys
example, generated = sys.argv[1], sys.argv[2]
tree = ast.parse(open(example).read(), example)
compile(tree, example, "exec")
pkg = ast.parse(open(generated).read(), generated)
classes = {n.name: n for n in pkg.body if isinstance(n, ast.ClassDef)}
exported = set()
for n in pkg.body:
    if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets):
        exported = {e.value for e in n.value.elts}
imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "cdktf_togai" for a in n.names]
problems = [f"{name} is not exported" for name in imported if name not in exported]
used_methods = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
for call in [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) in imported]:
    init = next(f for f in classes[call.func.id].body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    params = {a.arg for a in init.args.args + init.args.kwonlyargs}
    problems += [f"{call.func.id}({k.arg}=...) is not a parameter" for k in call.keywords if k.arg not in params]
methods = {f.name for c in classes.values() for f in c.body if isinstance(f, ast.FunctionDef)}
problems += [f"method {m} is not defined" for m in used_methods if m.startswith("grant") and m not in methods]
print("\\n".join(problems) if problems else "ok", len(imported))
`;
  const out = execFileSync(python, ["-c", checker, example, generated], { encoding: "utf8" });
  expect(out.trim()).toBe("ok 2");
});
