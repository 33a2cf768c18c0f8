/**
 * A root configuration that calls the plain Terraform module in terraform/ applies to moto (the
 * constructs' resources), gets its key from the CLI on stdin, mints a token through a rotation
 * with the module's zip against the Togai stand-in, and then plans no changes; other inputs plan
 * the constructs' resources and values for the matching props, and bad inputs stop the plan. The
 * key appears in no output, plan or state.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ZIP_NAME } from "../../scripts/terraform-module/generate";
import type { TfJson } from "../../scripts/terraform-module/merge";
import { synthVariant, type VariantChoice } from "../../scripts/terraform-module/variants";
import { leakedSecrets, OutputCapture } from "../support/capture-output";
import type { MotoServer } from "../support/moto-server";
import { driveRotation, loadRotationHandler, PROJECT_ROOT } from "../support/rotation-driver";
import { useServers } from "../support/servers";
import { terraform } from "../support/terraform";
import {
  addressesOf,
  type Inputs,
  MODULE_DIR,
  moduleAddresses,
  rootConfig,
} from "../support/terraform-module-root";
import type { TogaiStandIn } from "../support/togai-standin";

jest.setTimeout(180_000);

const KEY = "togai-module-key-3f9c1a7e5b2d4086";
const ACCOUNT = "123456789012";

describe("a root configuration calling the module, on moto and the Togai stand-in", () => {
  const servers = useServers({ secretKeys: [KEY] });
  let moto: MotoServer;
  let togai: TogaiStandIn;
  let secrets: SecretsManagerClient;
  let root: string;
  let outputs: Record<string, string> = {};
  /** Everything Terraform, the CLI and the rotation function printed. */
  let transcript = "";
  const capture = new OutputCapture();

  const tf = async (args: string[], dir = root, allowed = [0]) => {
    const result = await terraform(args, dir, moto.awsEnv, allowed);
    transcript += `${result.stdout}\n${result.stderr}\n`;
    return result;
  };

  beforeAll(async () => {
    ({ moto, togai, secrets } = servers);
    capture.start();
    root = rootConfig({
      togai: { togai_base_url: togai.baseUrl, function_name: "togai-module-test" },
    });
    await tf(["init", "-input=false", "-no-color"]);
  });

  // Declared after the servers' hooks: runs once every token the stand-in issued is known.
  afterAll(() => {
    transcript += capture.stop();
    const stateFile = root ? join(root, "terraform.tfstate") : "";
    const state = existsSync(stateFile) ? readFileSync(stateFile, "utf8") : "";
    if (root) rmSync(root, { recursive: true, force: true });
    expect(leakedSecrets(transcript + state, [KEY, ...(togai?.issuedTokens ?? [])])).toEqual([]);
  });

  test("apply creates exactly the resources the constructs synthesize for the default inputs", async () => {
    const applied = await tf(["apply", "-auto-approve", "-input=false", "-no-color"]);
    const state = await tf(["state", "list"]);
    const expected = addressesOf(
      synthVariant({ existingKeySecret: false, apiKeyKms: false, kms: false, alerts: "off" }),
    );
    expect(moduleAddresses(state.stdout, "togai", "$")).toEqual(expected);
    expect(applied.stdout).toContain(`${expected.length} added`);
    const raw = JSON.parse((await tf(["output", "-json"])).stdout);
    outputs = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k.replace(/^togai_/, ""), (v as TfJson).value]),
    );
    expect(outputs.token_secret_arn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:/);
  });

  test("the consumer policy output reads the token secret only", () => {
    expect(JSON.parse(outputs.consumer_read_policy_json)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadTogaiToken",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: outputs.token_secret_arn,
        },
      ],
    });
  });

  test("put-api-key reads the key from stdin, a rotation mints a token, and the plan stays clean", async () => {
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, "dist", "lib", "cli", "main.js"),
        "put-api-key",
        "--secret-id",
        outputs.api_key_secret_arn,
        "--token-secret-id",
        outputs.token_secret_arn,
        "--api-base-url",
        togai.baseUrl,
      ],
      { env: { ...process.env, ...moto.awsEnv }, stdio: ["pipe", "pipe", "pipe"] },
    );
    let cliOutput = "";
    child.stdout.on("data", (d) => {
      cliOutput += d;
    });
    child.stderr.on("data", (d) => {
      cliOutput += d;
    });
    child.stdin.end(`${KEY}\n`);
    const code = await new Promise((resolve) => child.once("close", resolve));
    transcript += cliOutput;
    expect(cliOutput).toContain(`stored the key in ${outputs.api_key_secret_arn}`);
    expect(code).toBe(0);
    expect(child.spawnargs.join(" ")).not.toContain(KEY);

    // moto cannot run Lambda code: the deployed zip runs in-process, with the deployed environment.
    const lambda = new LambdaClient({});
    const fn = await lambda.send(
      new GetFunctionCommand({ FunctionName: outputs.rotation_function_arn }),
    );
    lambda.destroy();
    const zip = join(MODULE_DIR, ZIP_NAME);
    expect(fn.Configuration?.CodeSha256).toBe(
      createHash("sha256").update(readFileSync(zip)).digest("base64"),
    );
    const handler = await loadRotationHandler(fn.Configuration?.Environment?.Variables ?? {}, zip);
    const run = await driveRotation({
      handler,
      secrets,
      secretArn: outputs.token_secret_arn,
      functionArn: outputs.rotation_function_arn,
    });
    expect(run.error).toBeUndefined();
    const token = await secrets.send(
      new GetSecretValueCommand({ SecretId: outputs.token_secret_arn, VersionStage: "AWSCURRENT" }),
    );
    expect(JSON.parse(token.SecretString as string)).toMatchObject({
      token: togai.issuedTokens.at(-1),
      apiBaseUrl: togai.baseUrl,
    });

    const plan = await tf(
      ["plan", "-detailed-exitcode", "-input=false", "-no-color"],
      root,
      [0, 2],
    );
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  });

  const combinations: Record<string, { inputs: Inputs; choice: VariantChoice }> = {
    // An existing key secret with its KMS key, a KMS key, alerts to an existing topic.
    existing: {
      inputs: {
        api_key_secret_arn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:billing/togai-key-AbCdEf`,
        api_key_kms_key_arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        kms_key_arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/9876abcd-12ab-34cd-56ef-1234567890ab`,
        alerts_enabled: true,
        alarm_topic_arn: `arn:aws:sns:us-east-1:${ACCOUNT}:billing-alerts`,
        function_name: "togai-existing",
        rotation_interval_hours: 4,
        memory_size: 512,
        timeout_seconds: 120,
        architecture: "x86_64",
        runtime: "nodejs20.x",
        log_retention_days: 90,
      },
      choice: { existingKeySecret: true, apiKeyKms: true, kms: true, alerts: "existing-topic" },
    },
    // A created key secret, a KMS key, alerts to a created topic.
    created: {
      inputs: {
        api_key_secret_name: "billing/togai-key",
        kms_key_arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/9876abcd-12ab-34cd-56ef-1234567890ab`,
        alerts_enabled: true,
        function_name: "togai-created",
      },
      choice: { existingKeySecret: false, apiKeyKms: false, kms: true, alerts: "created-topic" },
    },
  };

  test("bad inputs stop the plan with the constructs' messages", async () => {
    const kms = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    // Terraform checks the rules that name other variables after the others pass.
    const cases: Array<[Inputs, string[]]> = [
      [
        { rotation_interval_hours: 12, togai_base_url: "http://billing.example.com" },
        [
          "rotation_interval_hours must be a whole number from 4 to 11",
          "togai_base_url must be an origin without path, query or credentials, using https",
        ],
      ],
      [
        { api_key_kms_key_arn: kms, alarm_topic_arn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` },
        [
          "api_key_kms_key_arn applies only with api_key_secret_arn",
          "alarm_topic_arn needs alerts_enabled = true",
        ],
      ],
    ];
    for (const [inputs, messages] of cases) {
      const dir = rootConfig({ bad: inputs });
      try {
        await tf(["init", "-input=false", "-no-color"], dir);
        const plan = await tf(["plan", "-input=false", "-no-color"], dir, [1]);
        const errors = plan.stderr.replace(/\s+/g, " ");
        for (const message of messages) expect(errors).toContain(message);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test("other inputs plan the constructs' resources and values for the matching props", async () => {
    const dir = rootConfig(
      Object.fromEntries(Object.entries(combinations).map(([name, c]) => [name, c.inputs])),
    );
    try {
      await tf(["init", "-input=false", "-no-color"], dir);
      const plan = await tf(["plan", "-input=false", "-no-color", "-out=plan"], dir);
      const planned = JSON.parse((await tf(["show", "-json", "plan"], dir)).stdout);
      for (const [name, { inputs, choice }] of Object.entries(combinations)) {
        expect(moduleAddresses(plan.stdout, name, " will be created")).toEqual(
          addressesOf(synthVariant(choice)),
        );
        // The conditionals chose the values of the matching props (those known at plan).
        const plannedAfter = (type: string) =>
          (planned.resource_changes as TfJson[])
            .filter((c) => c.module_address === `module.${name}` && c.type === type)
            .map((c) => c.change.after as TfJson);
        expect(planned.output_changes[`${name}_api_key_secret_arn`].after).toBe(
          inputs.api_key_secret_arn,
        );
        for (const secret of plannedAfter("aws_secretsmanager_secret")) {
          expect(secret.kms_key_id).toBe(inputs.kms_key_arn);
        }
        const alarms = plannedAfter("aws_cloudwatch_metric_alarm");
        expect(alarms).toHaveLength(2);
        for (const alarm of alarms) {
          if (inputs.alarm_topic_arn) expect(alarm.alarm_actions).toEqual([inputs.alarm_topic_arn]);
        }
        const interval = Number(inputs.rotation_interval_hours ?? 6);
        const tokenAge = alarms.find((a) => String(a.alarm_name).endsWith("-token-age"));
        expect(tokenAge?.evaluation_periods).toBe(Math.min(2 * interval, 20));
        const [rotation] = plannedAfter("aws_secretsmanager_secret_rotation");
        expect(rotation.rotation_rules[0].schedule_expression).toBe(`rate(${interval} hours)`);
        const [fn] = plannedAfter("aws_lambda_function");
        expect(fn).toMatchObject({
          function_name: inputs.function_name,
          memory_size: inputs.memory_size ?? 256,
          timeout: inputs.timeout_seconds ?? 60,
          architectures: [inputs.architecture ?? "arm64"],
          runtime: inputs.runtime ?? "nodejs22.x",
        });
        const [logs] = plannedAfter("aws_cloudwatch_log_group");
        expect(logs.retention_in_days).toBe(inputs.log_retention_days ?? 30);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
