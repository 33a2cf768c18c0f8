/**
 * The library as a user has it installed: a release packed from its commit (so a fresh clone
 * without tags works), or the working tree, placed in a scratch project's node_modules with its
 * dependencies and peers linked to this repository's (no install, no network).
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { PROJECT_DIR, run } from "../package/project-tools";

/** Packs the library as of `commit` with its own build (`npm pack` runs its `prepack`). */
export function packCommit(commit: string, workDir: string): string {
  const source = join(workDir, `source-${commit}`);
  mkdirSync(source, { recursive: true });
  const archive = spawnSync(
    "sh",
    ["-c", `git -C "${PROJECT_DIR}" archive "${commit}" | tar -x -C "${source}"`],
    { encoding: "utf8" },
  );
  if (archive.status !== 0) {
    throw new Error(`git archive ${commit} failed (is the clone complete?): ${archive.stderr}`);
  }
  symlinkSync(join(PROJECT_DIR, "node_modules"), join(source, "node_modules"), "dir");
  const out = join(workDir, `packed-${commit}`);
  mkdirSync(out);
  // 0.1.0's build printed a line to stdout before npm's JSON.
  const stdout = run("npm", ["pack", "--json", "--pack-destination", out], source);
  const [packed] = JSON.parse(stdout.slice(stdout.search(/^\[/m)));
  return join(out, packed.filename);
}

/** What a stack project needs besides the library: the peers, as this repository installed them. */
const PEERS = ["cdktf", "constructs", "@cdktf/provider-aws"];

/**
 * A scratch project holding `main.ts` whose `cdktf-togai` is the given tarball (unpacked), or
 * the working tree itself when `tarball` is undefined.
 */
export function stackProject(dir: string, mainTs: string, tarball?: string): string {
  const modules = join(dir, "node_modules");
  mkdirSync(join(modules, "@cdktf"), { recursive: true });
  const library = join(modules, "cdktf-togai");
  if (tarball) {
    run("tar", ["-xzf", tarball, "-C", modules], dir);
    renameSync(join(modules, "package"), library);
  } else {
    if (!existsSync(join(PROJECT_DIR, "dist", "lib", "index.js"))) {
      throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    }
    symlinkSync(PROJECT_DIR, library, "dir");
  }
  const manifest = JSON.parse(readFileSync(join(library, "package.json"), "utf8"));
  const needed = [...Object.keys(manifest.dependencies ?? {}), ...PEERS];
  for (const name of needed) {
    const link = join(modules, name);
    if (existsSync(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(PROJECT_DIR, "node_modules", name), link, "dir");
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "billing", private: true }));
  writeFileSync(join(dir, "main.ts"), mainTs);
  return dir;
}

/** Runs the project's main.ts as `cdktf synth` would; returns the stack's output folder. */
export function synthProject(dir: string, stack: string): string {
  run(join(PROJECT_DIR, "node_modules", ".bin", "tsx"), ["main.ts"], dir);
  const stackDir = join(dir, "cdktf.out", "stacks", stack);
  if (!existsSync(join(stackDir, "cdk.tf.json"))) {
    throw new Error(`main.ts in ${dir} synthesized no stack "${stack}"`);
  }
  return stackDir;
}
