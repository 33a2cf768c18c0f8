/**
 * Runs Terraform for real, offline: a CLI config of the project's own points the AWS provider at
 * a filesystem mirror when one is found (or named by TOGAI_TF_PROVIDER_MIRROR); without a mirror
 * Terraform uses the registry as usual.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { requireTool } from "./tools";

export const AWS_PROVIDER_VERSION = "5.100.0";
const PROVIDER_PATH = `registry.terraform.io/hashicorp/aws/${AWS_PROVIDER_VERSION}`;

/** The folder holding `registry.terraform.io/` with hashicorp/aws 5.100.0, if any. */
export function findProviderMirror(): string | undefined {
  const named = process.env.TOGAI_TF_PROVIDER_MIRROR;
  if (named) {
    if (!existsSync(join(named, PROVIDER_PATH))) {
      throw new Error(`TOGAI_TF_PROVIDER_MIRROR=${named} holds no ${PROVIDER_PATH}`);
    }
    return named;
  }
  // Terraform's implied local mirror folders first, then a shallow search of common roots.
  const implied = [
    join(homedir(), ".terraform.d", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ];
  const hit = implied.find((dir) => existsSync(join(dir, PROVIDER_PATH)));
  if (hit) return hit;
  const found = spawnSync(
    "sh",
    [
      "-c",
      `find /opt /usr/local /srv -maxdepth 6 -type d -path '*/${PROVIDER_PATH}' 2>/dev/null | head -1`,
    ],
    { encoding: "utf8" },
  ).stdout.trim();
  return found ? found.slice(0, -PROVIDER_PATH.length - 1) : undefined;
}

let cachedEnv: Record<string, string> | undefined;

/** Environment for every Terraform run of the tests and the demo. */
export function terraformEnv(): Record<string, string> {
  if (cachedEnv) return cachedEnv;
  requireTool(
    "terraform",
    "install Terraform 1.11 (https://developer.hashicorp.com/terraform/install)",
  );
  const mirror = findProviderMirror();
  const dir = mkdtempSync(join(tmpdir(), "togai-tf-"));
  const config = join(dir, "terraform.rc");
  const installation = mirror
    ? `provider_installation {
  filesystem_mirror {
    path    = "${mirror}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }
}
`
    : "";
  writeFileSync(config, `${installation}disable_checkpoint = true\n`);
  cachedEnv = {
    TF_CLI_CONFIG_FILE: config,
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
  };
  return cachedEnv;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<number>();
process.once("exit", () => {
  for (const pid of running) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Asks every running Terraform to stop gracefully (as Ctrl-C would), so its state stays sound. */
export function interruptTerraform(): void {
  for (const pid of running) {
    try {
      process.kill(pid, "SIGINT");
    } catch {
      // already gone
    }
  }
}

/** Runs `terraform <args>` in `cwd`; rejects with its output unless the exit code is allowed. */
export async function terraform(
  args: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
  allowedCodes: number[] = [0],
): Promise<TerraformResult> {
  const env = { ...process.env, ...terraformEnv(), ...extraEnv };
  const child = spawn("terraform", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid) running.add(child.pid);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const code = await new Promise<number>((resolve) => child.once("close", (c) => resolve(c ?? -1)));
  if (child.pid) running.delete(child.pid);
  if (!allowedCodes.includes(code)) {
    throw new Error(`terraform ${args.join(" ")} exited with ${code}:\n${stdout}\n${stderr}`);
  }
  return { code, stdout, stderr };
}

/** `terraform init` and `terraform validate` on a synthesized stack folder. */
export async function initAndValidate(stackDir: string): Promise<TerraformResult> {
  await terraform(["init", "-input=false", "-no-color"], stackDir);
  return terraform(["validate", "-no-color"], stackDir);
}
