/**
 * The operations options on loopback: alerting (SNS topic, EventBridge rule, two alarms),
 * rotation on key change, and a replica of the token secret. The stack applies, plans clean,
 * rotates (also when the key changes) and destroys on moto_server.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { LoopbackDeployment } from "../../demo/loopback-deployment";
import { OperationsStack } from "../../examples/operations/main";
import { OutputCapture } from "../support/capture-output";
import { versionWithStage } from "../support/rotation-driver";

jest.setTimeout(180_000);

const deployment = new LoopbackDeployment({
  stack: (scope, id, baseUrl) => new OperationsStack(scope, id, { apiBaseUrl: baseUrl }),
});
/** Everything the code under test logs (the rotation function writes JSON lines to stdout). */
const output = new OutputCapture();

beforeAll(async () => {
  output.start();
  await deployment.startServers();
  deployment.synth();
  await deployment.init();
});

afterAll(async () => {
  await deployment.cleanup();
  output.stop();
  deployment.removeWorkDir();
});

test("the stack with every operations option applies, and plans clean", async () => {
  // 19: the key-change trigger no longer adds a role policy (the role always may start a rotation).
  expect(await deployment.apply()).toBe(19);
  expect(deployment.rawOutputs.alarm_topic_arn).toMatch(
    /^arn:aws:sns:us-east-1:\d{12}:togai-token-alerts-/,
  );
  expect(deployment.rawOutputs.replica_token_secret_arn).toBe(
    deployment.rawOutputs.token_secret_arn.replace(":us-east-1:", ":eu-west-1:"),
  );
  expect((await deployment.plan()).code).toBe(0);
});

test("a new key value delivered by EventBridge starts a rotation that mints a token at once", async () => {
  // The key is put out of band, as an operator would without the CLI (console, another tool).
  const secrets = new SecretsManagerClient({});
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: deployment.rawOutputs.api_key_secret_arn,
      SecretString: deployment.secretKey,
    }),
  );
  // Terraform's immediate rotation left an unfinished AWSPENDING: the event path clears it.
  const staleVersion = await versionWithStage(
    secrets,
    deployment.rawOutputs.token_secret_arn,
    "AWSPENDING",
  );
  expect(staleVersion).toBeDefined();

  await deployment.deliverKeyChangeEvent();

  const pending = await versionWithStage(
    secrets,
    deployment.rawOutputs.token_secret_arn,
    "AWSPENDING",
  );
  expect(pending).toBeDefined();
  expect(pending).not.toBe(staleVersion);
  expect(output.captured).toContain('"message":"the API key changed: rotation started"');
  const run = await deployment.rotate();
  expect(run.error).toBeUndefined();
  expect(run.versionId).toBe(pending);
  expect((await deployment.tokenSecret()).value.token).toBe(deployment.togai?.issuedTokens.at(-1));
  secrets.destroy();
});

test("each successful rotation publishes the token's hours left in the embedded metric format", () => {
  const metricLine = output.captured.split("\n").find((l) => l.startsWith('{"_aws"'));
  expect(metricLine).toBeDefined();
  const metric = JSON.parse(metricLine as string);
  expect(metric._aws.CloudWatchMetrics[0]).toEqual({
    Namespace: "CdktfTogai",
    Dimensions: [["TokenSecretName"]],
    Metrics: [{ Name: "TokenHoursLeft", Unit: "None" }],
  });
  expect(metric.TokenSecretName).toBe("billing/togai-token-ops");
  expect(metric.TokenHoursLeft).toBeGreaterThan(23.9);
});

test("the replica in eu-west-1 is readable there by its ARN", async () => {
  const eu = new SecretsManagerClient({ region: "eu-west-1" });
  const read = eu.send(
    new GetSecretValueCommand({
      SecretId: deployment.rawOutputs.replica_token_secret_arn,
      VersionStage: "AWSCURRENT",
    }),
  );
  await expect(read).resolves.toBeDefined();
  eu.destroy();
});

test("destroy leaves nothing behind", async () => {
  await deployment.destroy();
  expect(await deployment.leftovers()).toEqual({ secrets: 0, functions: 0, roles: 0, kmsKeys: 0 });
});
