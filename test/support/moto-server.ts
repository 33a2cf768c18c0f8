/**
 * Starts moto_server (with this project's Secrets Manager corrections, see
 * moto/corrected_moto_server.py) on 127.0.0.1 and a free port, waits until it answers, switches
 * Lambda to Docker-less mode, and stops it by its own PID.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { freePort } from "./free-port";
import { requireTool } from "./tools";

const LAUNCHER = join(__dirname, "moto", "corrected_moto_server.py");

export interface MotoServer {
  readonly endpoint: string;
  readonly pid: number;
  /** Environment for the AWS SDK, the CLI and Terraform's AWS provider to talk to this server. */
  readonly awsEnv: Record<string, string>;
  /** Server output so far (for failure reports). */
  output(): string;
  /**
   * Makes Secrets Manager's clock (version creation dates) follow this process's `Date`, as a
   * simulated clock moves it: on AWS the service and the function read the same time.
   */
  followClock(): void;
  stop(): Promise<void>;
}

/** The Python interpreter that has moto: the one moto_server itself runs with. */
function motoPython(): string {
  requireTool(
    "moto_server",
    "install moto 5.2.1 with its server extra (`pip install 'moto[server]==5.2.1'`)",
  );
  const probe = spawnSync("python3", ["-c", "import moto, sys; print(moto.__version__)"], {
    encoding: "utf8",
  });
  if (probe.status !== 0) {
    throw new Error(
      "moto_server is on PATH but `python3 -c 'import moto'` fails: install moto 5.2.1 for python3",
    );
  }
  return "python3";
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function startMotoServer(): Promise<MotoServer> {
  const python = motoPython();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const clockFile = join(mkdtempSync(join(tmpdir(), "togai-moto-clock-")), "offset-seconds");
  writeFileSync(clockFile, "0");
  const child = spawn(python, [LAUNCHER, "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      MOTO_IAM_LOAD_MANAGED_POLICIES: "false",
      TOGAI_MOTO_CLOCK_OFFSET_FILE: clockFile,
    },
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killed = await Promise.race([
        exited.then(() => true),
        sleep(3000, undefined, { ref: false }).then(() => false),
      ]);
      if (!killed) {
        child.kill("SIGKILL");
        await exited;
      }
    }
    running.delete(child);
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `moto_server exited with code ${child.exitCode} before it was ready:\n${output}`,
      );
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s:\n${output}`);
    }
    await sleep(100);
  }
  // Lambda code cannot run without Docker; invokes must echo instead of failing. Set before any
  // function exists (the two modes keep separate function stores).
  const config = await fetch(`${endpoint}/moto-api/config`, {
    method: "POST",
    body: JSON.stringify({ lambda: { use_docker: false } }),
  });
  if (!config.ok) throw new Error(`moto_server refused its Lambda configuration: ${config.status}`);

  return {
    endpoint,
    pid: child.pid ?? -1,
    awsEnv: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
    },
    output: () => output,
    followClock: () => {
      // performance.* is never faked: it is the real time the server's own clock reads.
      const real = performance.timeOrigin + performance.now();
      writeFileSync(clockFile, String((Date.now() - real) / 1000));
    },
    stop,
  };
}

export interface MotoSecrets {
  readonly moto: MotoServer;
  /** A client of this moto. */
  readonly secrets: SecretsManagerClient;
}

/**
 * The one moto lifecycle of the test files: starts moto before a file's tests and stops it by
 * PID after them. By default this process's AWS environment then points at it (the SDK, the CLI
 * and the function in-process read it there); a file that hands the environment on itself (a
 * spawned bin, Terraform) passes `setAwsEnv: false` and keeps its own environment clean.
 */
export function useMotoSecrets(options: { readonly setAwsEnv?: boolean } = {}): MotoSecrets {
  const used = {} as { moto: MotoServer; secrets: SecretsManagerClient };
  beforeAll(async () => {
    used.moto = await startMotoServer();
    if (options.setAwsEnv ?? true) {
      Object.assign(process.env, used.moto.awsEnv);
      used.secrets = new SecretsManagerClient({});
    } else {
      const env = used.moto.awsEnv;
      used.secrets = new SecretsManagerClient({
        endpoint: used.moto.endpoint,
        region: env.AWS_REGION,
        credentials: {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        },
      });
    }
  });
  afterAll(async () => {
    used.secrets?.destroy();
    await used.moto?.stop();
  });
  return used;
}
