/**
 * Synthesizes an app with cdktf and this build, and puts two synthesized stacks side by side with
 * what may differ between cdktf and cdktn taken out: the tool's version in the metadata, the
 * provider's version and how its source is spelled, the state path (the project's folder) and
 * the asset folder's hash (cdktf hashes the asset's path, cdktn with `canonicalAssetHashes` its
 * content; the zip itself is compared byte for byte apart).
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { PROJECT_DIR, run } from "./project-tools";

type Json = Record<string, unknown>;

/**
 * A folder where `cdktf-togai` is this build as installed (package.json, dist/lib, the zip) and
 * cdktf, constructs and `@cdktf/provider-aws` 21.x (hashicorp/aws 6.x, as cdktn's 25.x) are
 * linked from this repository's node_modules.
 */
export function cdktfConsumer(dir: string): string {
  const modules = join(dir, "node_modules");
  const library = join(modules, "cdktf-togai");
  mkdirSync(join(modules, "@cdktf"), { recursive: true });
  mkdirSync(join(library, "assets"), { recursive: true });
  symlinkSync(join(PROJECT_DIR, "node_modules", "cdktf"), join(modules, "cdktf"), "dir");
  symlinkSync(join(PROJECT_DIR, "node_modules", "constructs"), join(modules, "constructs"), "dir");
  symlinkSync(
    join(PROJECT_DIR, "node_modules", "@cdktf", "provider-aws-v21"),
    join(modules, "@cdktf", "provider-aws"),
    "dir",
  );
  cpSync(join(PROJECT_DIR, "package.json"), join(library, "package.json"));
  cpSync(join(PROJECT_DIR, "dist", "lib"), join(library, "dist", "lib"), { recursive: true });
  cpSync(
    join(PROJECT_DIR, "assets", "rotation-function.zip"),
    join(library, "assets", "rotation-function.zip"),
  );
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  return dir;
}

/** Runs `file` (an app that calls app.synth()) with tsx, writing into `outdir`. */
export function synthWithCdktf(dir: string, file: string, code: string, outdir: string): void {
  writeFileSync(join(dir, file), code);
  run(join(PROJECT_DIR, "node_modules", ".bin", "tsx"), [file], dir, { CDKTF_OUTDIR: outdir });
}

/** The stack's cdk.tf.json under an output folder. */
export function stackJson(outdir: string, stack: string): Json {
  return JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
}

/** The stack with the tool's and the provider's versions, paths and asset hashes taken out. */
export function comparable(stack: Json): Json {
  const copy = JSON.parse(JSON.stringify(stack)) as Json & {
    "//"?: { metadata?: Json };
    terraform: { required_providers: Record<string, Json>; backend?: { local?: Json } };
    resource: Record<string, Record<string, Json>>;
  };
  delete copy["//"]?.metadata?.version;
  for (const provider of Object.values(copy.terraform.required_providers)) {
    delete provider.version;
    const source = String(provider.source);
    provider.source = source.includes("/") ? source : `hashicorp/${source}`;
  }
  const local = copy.terraform.backend?.local;
  if (local) local.path = basename(String(local.path));
  for (const fn of Object.values(copy.resource.aws_lambda_function ?? {})) {
    fn.filename = String(fn.filename).replace(/\/[0-9A-F]{32}\//, "/<asset hash>/");
  }
  return copy;
}

/** `type.name` of every resource and data source, sorted. */
export function addresses(stack: Json): string[] {
  const of = (kind: "resource" | "data", prefix: string) =>
    Object.entries((stack[kind] ?? {}) as Record<string, Json>).flatMap(([type, byName]) =>
      Object.keys(byName).map((name) => `${prefix}${type}.${name}`),
    );
  return [...of("resource", ""), ...of("data", "data.")].sort();
}

/** The rotation zip the Lambda function of a stack points at, as bytes. */
export function functionZip(outdir: string, stack: string): Buffer {
  const json = stackJson(outdir, stack) as { resource: Record<string, Record<string, Json>> };
  const [fn] = Object.values(json.resource.aws_lambda_function);
  return readFileSync(join(outdir, "stacks", stack, String(fn.filename)));
}
