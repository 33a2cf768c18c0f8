/**
 * The whole system on loopback, from synth through terraform apply, rotation, consumer read and
 * destroy. The key is put at deploy time through the ephemeral variable and write-only argument;
 * it must appear in no artifact and no output. (The operator-CLI path runs in `npm run demo`
 * and in the CLI tests.)
 */

import { generateKeyPairSync } from "node:crypto";
import { LoopbackDeployment } from "../../demo/loopback-deployment";
import { leakedSecrets, OutputCapture } from "../support/capture-output";
import { secretlint } from "../support/secret-scan";

jest.setTimeout(180_000);

const deployment = new LoopbackDeployment({ keyFromEphemeralVariable: true });
let synthesized = "";
/** Everything the code under test logs (the rotation function writes JSON lines to stdout). */
const output = new OutputCapture();

beforeAll(async () => {
  output.start();
  await deployment.startServers();
  synthesized = deployment.synth();
  await deployment.init();
});

afterAll(async () => {
  const motoPid = deployment.moto?.pid;
  await deployment.cleanup();
  output.stop();
  deployment.removeWorkDir();
  // No emulator process is left behind.
  expect(() => process.kill(motoPid as number, 0)).toThrow();
});

test("apply creates the stack, and a second plan reports no changes", async () => {
  const added = await deployment.apply();
  expect(added).toBe(11);
  const plan = await deployment.plan();
  expect(plan.stdout).toContain("No changes.");
  expect(plan.code).toBe(0);
});

test("TogaiTokenRotation's outputs give what put-api-key and status need", () => {
  const outputs = deployment.outputs;
  const raw = deployment.rawOutputs;
  expect(raw.TogaiToken_api_key_secret_arn).toBe(outputs?.apiKeySecretArn);
  expect(raw.TogaiToken_token_secret_arn).toBe(outputs?.tokenSecretArn);
  expect(raw.TogaiToken_token_secret_arn).toMatch(
    /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:/,
  );
  expect(raw.TogaiToken_rotation_function_arn).toBe(outputs?.functionArn);
  expect(outputs?.functionArn.endsWith(`:function:${raw.TogaiToken_rotation_function_name}`)).toBe(
    true,
  );
});

test("the rotation staged at deploy mints a token: AWSCURRENT holds the contract JSON, ~24 h ahead", async () => {
  const run = await deployment.rotate();
  expect(run.error).toBeUndefined();
  const { versionId, value } = await deployment.tokenSecret();
  expect(versionId).toBe(run.versionId);
  expect(Object.keys(value).sort()).toEqual([
    "apiBaseUrl",
    "expiresAt",
    "issuedAt",
    "keyVersionId",
    "schemaVersion",
    "token",
  ]);
  expect(value.apiBaseUrl).toBe(deployment.togai?.baseUrl);
  const hours = (Date.parse(value.expiresAt) - Date.now()) / 3_600_000;
  expect(hours).toBeGreaterThan(23.9);
  expect(hours).toBeLessThanOrEqual(24);
});

test("a consumer reads the token and ingests an event", async () => {
  const { token, eventsAccepted } = await deployment.consumeAndIngest();
  expect(token.token).toBe(deployment.togai?.issuedTokens.at(-1));
  expect(eventsAccepted).toBe(1);
});

test("a second rotation moves AWSPREVIOUS, and the plan is still clean", async () => {
  const first = await deployment.tokenSecret();
  const run = await deployment.rotateAgain();
  expect(run.error).toBeUndefined();
  const stages = await deployment.versionStages();
  expect(stages[first.versionId]).toEqual(["AWSPREVIOUS"]);
  expect(stages[run.versionId]).toEqual(["AWSCURRENT"]);
  expect((await deployment.plan()).code).toBe(0);
});

test("the key and every token appear in no artifact, plan, state or output", () => {
  const secrets = [deployment.secretKey, ...(deployment.togai?.issuedTokens ?? [])];
  expect(deployment.togai?.issuedTokens.length).toBeGreaterThanOrEqual(2);
  const artifacts = deployment.artifacts();
  expect(artifacts.map((a) => a.path).some((p) => p.endsWith("terraform.togai-demo.tfstate"))).toBe(
    true,
  );
  for (const { path, text } of artifacts) {
    expect({ path, leaks: leakedSecrets(text, secrets) }).toEqual({ path, leaks: [] });
  }
  expect(leakedSecrets(synthesized, secrets)).toEqual([]);
  expect(leakedSecrets(deployment.transcript, secrets)).toEqual([]);
  expect(leakedSecrets(output.captured, secrets)).toEqual([]);
  // The state records that a write-only value was put, never the value.
  const state = artifacts.find((a) => a.path.endsWith(".tfstate"))?.text ?? "";
  expect(state).toContain('"secret_string_wo_version": 1');
  expect(output.captured).toContain('"message":"token minted and stored as AWSPENDING"');
});

test("secretlint finds nothing in cdktf.out, the plan, the state or the logs (and does find a planted key)", () => {
  const texts = [
    ...deployment
      .artifacts()
      .map((a) => ({ name: a.path.split("/").slice(-2).join("_"), text: a.text })),
    { name: "terraform-and-cli-output", text: deployment.transcript },
    { name: "logs", text: output.captured },
  ];
  expect(secretlint(texts)).toEqual([]);
  // The same scan over a planted private key reports it: the scanner is really looking.
  const planted = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  });
  expect(secretlint([...texts, { name: "planted", text: String(planted) }])).toEqual([
    { file: expect.stringContaining("planted"), ruleId: "@secretlint/secretlint-rule-privatekey" },
  ]);
});

test("destroy leaves no secret, function, role or key behind", async () => {
  await deployment.destroy();
  expect(await deployment.leftovers()).toEqual({ secrets: 0, functions: 0, roles: 0, kmsKeys: 0 });
});
