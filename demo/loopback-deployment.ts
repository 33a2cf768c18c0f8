/**
 * The whole system on loopback, stage by stage: moto_server stands in for AWS, the Togai
 * stand-in for Togai. Used by `npm run demo` (which prints each stage) and by the end-to-end
 * test (which asserts on each stage).
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { App, type TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { BasicStack } from "../examples/basic/main";
import type { TokenSecretValue } from "../lib/contract";
import { TogaiClient } from "../lib/runtime/client";
import { TogaiTokenProvider } from "../lib/runtime/token-provider";
import { type MotoServer, startMotoServer } from "../test/support/moto-server";
import {
  driveRotation,
  loadRotationHandler,
  PROJECT_ROOT,
  type RotationHandler,
  type RotationRun,
} from "../test/support/rotation-driver";
import { terraform } from "../test/support/terraform";
import { startTogaiStandIn, type TogaiStandIn } from "../test/support/togai-standin";

export interface DeploymentOptions {
  /** Put the key at apply time through the ephemeral variable, instead of the operator CLI. */
  readonly keyFromEphemeralVariable?: boolean;
  /**
   * The stack to deploy, given the stand-in's base URL. It must output api_key_secret_arn,
   * token_secret_arn, rotation_function_arn and consumer_role_arn.
   * @default the basic example
   */
  readonly stack?: (scope: Construct, id: string, togaiBaseUrl: string) => TerraformStack;
}

export interface StackOutputs {
  readonly apiKeySecretArn: string;
  readonly tokenSecretArn: string;
  readonly functionArn: string;
  readonly consumerRoleArn: string;
}

export class LoopbackDeployment {
  /** The stand-in's secret key: a fresh random value per run, searched for in every artifact. */
  readonly secretKey = `togai_sk_${randomBytes(18).toString("hex")}`;
  readonly stackName = "togai-demo";
  readonly workDir = mkdtempSync(join(tmpdir(), "togai-demo-"));
  /** Everything Terraform and the operator CLI printed. */
  transcript = "";
  moto?: MotoServer;
  togai?: TogaiStandIn;
  outputs?: StackOutputs;
  /** Every Terraform output of the applied stack, by name. */
  rawOutputs: Record<string, string> = {};
  private secrets?: SecretsManagerClient;
  private applied = false;

  constructor(private readonly options: DeploymentOptions = {}) {}

  get stackDir(): string {
    return join(this.workDir, "cdktf.out", "stacks", this.stackName);
  }

  /** Starts moto_server and the Togai stand-in, on 127.0.0.1 and free ports. */
  async startServers(): Promise<void> {
    this.moto = await startMotoServer();
    Object.assign(process.env, this.moto.awsEnv);
    this.togai = await startTogaiStandIn({ secretKeys: [this.secretKey] });
    this.secrets = new SecretsManagerClient({});
  }

  /** Synthesizes the basic example, pointed at the stand-in. */
  synth(): string {
    const app = new App({ outdir: join(this.workDir, "cdktf.out") });
    const baseUrl = this.server("togai").baseUrl;
    if (this.options.stack) {
      this.options.stack(app, this.stackName, baseUrl);
    } else {
      new BasicStack(app, this.stackName, {
        apiBaseUrl: baseUrl,
        keyFromEphemeralVariable: this.options.keyFromEphemeralVariable,
      });
    }
    app.synth();
    return readFileSync(join(this.stackDir, "cdk.tf.json"), "utf8");
  }

  /** Environment of every Terraform run: the emulator, and the key only as TF_VAR (never argv). */
  private tfEnv(): Record<string, string> {
    const env: Record<string, string> = { ...this.server("moto").awsEnv };
    if (this.options.keyFromEphemeralVariable) env.TF_VAR_togai_api_key = this.secretKey;
    return env;
  }

  private async tf(args: string[], allowed = [0]) {
    const result = await terraform(args, this.stackDir, this.tfEnv(), allowed);
    this.transcript += `${result.stdout}\n${result.stderr}\n`;
    return result;
  }

  async init(): Promise<void> {
    await this.tf(["init", "-input=false", "-no-color"]);
  }

  /** `terraform apply`; returns the number of resources added. */
  async apply(): Promise<number> {
    this.applied = true;
    const result = await this.tf(["apply", "-auto-approve", "-input=false", "-no-color"]);
    const out = JSON.parse((await this.tf(["output", "-json"])).stdout);
    this.rawOutputs = Object.fromEntries(
      Object.entries(out).map(([k, v]) => [k, (v as { value: string }).value]),
    );
    this.outputs = {
      apiKeySecretArn: out.api_key_secret_arn.value,
      tokenSecretArn: out.token_secret_arn.value,
      functionArn: out.rotation_function_arn.value,
      consumerRoleArn: out.consumer_role_arn.value,
    };
    return Number(/(\d+) added/.exec(result.stdout)?.[1] ?? 0);
  }

  /** The operator's way: `cdktf-togai put-api-key`, the key on stdin, then a rotation starts. */
  async putKeyWithCli(): Promise<void> {
    const { apiKeySecretArn, tokenSecretArn } = this.requireOutputs();
    const bin = join(PROJECT_ROOT, "dist", "lib", "cli", "main.js");
    const child = spawn(
      process.execPath,
      [
        bin,
        "put-api-key",
        "--secret-id",
        apiKeySecretArn,
        "--token-secret-id",
        tokenSecretArn,
        "--api-base-url",
        this.server("togai").baseUrl,
      ],
      { env: { ...process.env, ...this.server("moto").awsEnv }, stdio: ["pipe", "pipe", "pipe"] },
    );
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
    });
    child.stderr.on("data", (d) => {
      text += d;
    });
    child.stdin.end(`${this.secretKey}\n`);
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    this.transcript += text;
    if (code !== 0) throw new Error(`cdktf-togai put-api-key exited with ${code}: ${text}`);
  }

  /**
   * Runs a rotation as Secrets Manager does, with the code Terraform uploaded (the zip whose
   * hash the deployed function reports) and the environment the deployed function declares.
   */
  async rotate(): Promise<RotationRun> {
    const { tokenSecretArn, functionArn } = this.requireOutputs();
    const handler = await this.deployedHandler();
    return driveRotation({
      handler,
      secrets: this.client(),
      secretArn: tokenSecretArn,
      functionArn,
    });
  }

  /**
   * The code Terraform uploaded (the zip whose hash the deployed function reports), loaded with
   * the environment the deployed function declares.
   */
  async deployedHandler(): Promise<RotationHandler> {
    const lambda = new LambdaClient({});
    const fn = await lambda.send(
      new GetFunctionCommand({ FunctionName: this.requireOutputs().functionArn }),
    );
    lambda.destroy();
    const zip = this.deployedZip();
    const sha = createHash("sha256").update(readFileSync(zip)).digest("base64");
    if (sha !== fn.Configuration?.CodeSha256) {
      throw new Error(
        `the deployed function's code (${fn.Configuration?.CodeSha256}) is not the synthesized asset (${sha})`,
      );
    }
    return loadRotationHandler(fn.Configuration?.Environment?.Variables ?? {}, zip);
  }

  /** Delivers to the function what EventBridge sends when CloudTrail records a new key value. */
  async deliverKeyChangeEvent(): Promise<void> {
    const handler = await this.deployedHandler();
    await handler(
      {
        source: "aws.secretsmanager",
        "detail-type": "AWS API Call via CloudTrail",
        detail: {
          eventSource: "secretsmanager.amazonaws.com",
          eventName: "PutSecretValue",
          requestParameters: { secretId: this.requireOutputs().apiKeySecretArn },
        },
      } as unknown as Parameters<RotationHandler>[0],
      { getRemainingTimeInMillis: () => 30_000 },
    );
  }

  /** Starts a new rotation the way the schedule would (RotateSecret), then runs it. */
  async rotateAgain(): Promise<RotationRun> {
    const { tokenSecretArn, functionArn } = this.requireOutputs();
    await this.client().send(
      new RotateSecretCommand({ SecretId: tokenSecretArn, RotationLambdaARN: functionArn }),
    );
    return this.rotate();
  }

  /** The file Terraform uploaded: the asset zip inside the synthesized stack. */
  deployedZip(): string {
    const fn = JSON.parse(readFileSync(join(this.stackDir, "cdk.tf.json"), "utf8")).resource
      .aws_lambda_function;
    const filename = (Object.values(fn)[0] as { filename: string }).filename;
    return join(this.stackDir, filename);
  }

  async tokenSecret(stage = "AWSCURRENT"): Promise<{ versionId: string; value: TokenSecretValue }> {
    const out = await this.client().send(
      new GetSecretValueCommand({
        SecretId: this.requireOutputs().tokenSecretArn,
        VersionStage: stage,
      }),
    );
    return { versionId: out.VersionId as string, value: JSON.parse(out.SecretString as string) };
  }

  async versionStages(): Promise<Record<string, string[]>> {
    const meta = await this.client().send(
      new DescribeSecretCommand({ SecretId: this.requireOutputs().tokenSecretArn }),
    );
    return meta.VersionIdsToStages ?? {};
  }

  /** A consumer: reads the token through the provider, ingests one event through the client. */
  async consumeAndIngest(): Promise<{ token: TokenSecretValue; eventsAccepted: number }> {
    const tokens = new TogaiTokenProvider({ secretId: this.requireOutputs().tokenSecretArn });
    const token = await tokens.getTokenSecret();
    const client = new TogaiClient({ tokens });
    const before = this.server("togai").events.length;
    await client.ingest({
      id: `demo-${Date.now()}`,
      schemaName: "api_calls",
      timestamp: new Date().toISOString(),
      accountId: "acme-corp",
      attributes: [{ name: "calls", value: "42", unit: "count" }],
      dimensions: { region: "eu-west-1" },
    });
    await client.close();
    return { token, eventsAccepted: this.server("togai").events.length - before };
  }

  /** `terraform plan -detailed-exitcode`: 0 when nothing would change. */
  async plan(): Promise<{ code: number; stdout: string }> {
    const result = await this.tf(
      ["plan", "-detailed-exitcode", "-input=false", "-no-color"],
      [0, 2],
    );
    return { code: result.code, stdout: result.stdout };
  }

  async destroy(): Promise<void> {
    await this.tf(["destroy", "-auto-approve", "-input=false", "-no-color"]);
    this.applied = false;
  }

  /** What is left in the emulator: secrets, functions, roles, KMS keys. */
  async leftovers(): Promise<Record<string, number>> {
    const lambda = new LambdaClient({});
    const iam = new IAMClient({});
    const kms = new KMSClient({});
    const counts = {
      secrets: (await this.client().send(new ListSecretsCommand({}))).SecretList?.length ?? 0,
      functions: (await lambda.send(new ListFunctionsCommand({}))).Functions?.length ?? 0,
      roles: (await iam.send(new ListRolesCommand({}))).Roles?.length ?? 0,
      kmsKeys: (await kms.send(new ListKeysCommand({}))).Keys?.length ?? 0,
    };
    lambda.destroy();
    iam.destroy();
    kms.destroy();
    return counts;
  }

  /** Every file of the synthesized output and the Terraform state, as text. */
  artifacts(): Array<{ path: string; text: string }> {
    const found: Array<{ path: string; text: string }> = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== ".terraform") walk(path);
        } else if (!entry.name.endsWith(".zip")) {
          found.push({ path, text: readFileSync(path, "utf8") });
        }
      }
    };
    walk(join(this.workDir, "cdktf.out"));
    return found;
  }

  /** Destroys what was applied (if anything) and stops both servers; safe to call twice. */
  async cleanup(): Promise<void> {
    try {
      if (this.applied && this.moto) await this.destroy();
    } finally {
      this.secrets?.destroy();
      await this.togai?.close();
      await this.moto?.stop();
      this.togai = undefined;
      this.moto = undefined;
    }
  }

  /** Removes the working folder (synth output, state). */
  removeWorkDir(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }

  private client(): SecretsManagerClient {
    if (!this.secrets) throw new Error("servers are not started");
    return this.secrets;
  }

  private server<K extends "moto" | "togai">(kind: K): NonNullable<LoopbackDeployment[K]> {
    const server = this[kind];
    if (!server) throw new Error(`${kind} is not started`);
    return server as NonNullable<LoopbackDeployment[K]>;
  }

  private requireOutputs(): StackOutputs {
    if (!this.outputs) throw new Error("nothing is applied yet");
    return this.outputs;
  }
}
