/**
 * The rotation function heals itself and refuses bad input: the deployed bundle (and, for
 * coverage of lib/, the source) driven as Secrets Manager drives it, against moto_server (the
 * function's own calls through a fault proxy) and the Togai stand-in, on a simulated clock.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { startRotationNow } from "../../lib/aws/start-rotation";
import { driveRotation, lambdaContext } from "../support/rotation-driver";
import type { SecretsManagerFaultProxy } from "../support/rotation-fault-proxy";
import { createRotationFixture, type RotationFixture } from "../support/rotation-fixture";
import { proxiedRotationFixture, useRotationServers } from "../support/rotation-servers";
import type { TogaiStandIn } from "../support/togai-standin";

const KEY = "togai-secret-key-8d2c4b6a0e1f3a5c7b9d";
const HOUR = 3_600_000;

const servers = useRotationServers({ secretKeys: [KEY], faultProxy: true });
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;
let proxy: SecretsManagerFaultProxy;
const { output } = servers;
beforeAll(() => {
  ({ togai, secrets, proxy } = servers);
});

const stagesOf = async (arn: string) =>
  (await secrets.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
const unfinished = async (arn: string) =>
  Object.entries(await stagesOf(arn))
    .filter(([, s]) => s.includes("AWSPENDING") && !s.includes("AWSCURRENT"))
    .map(([id]) => id);
const current = async (arn: string) => {
  const out = await secrets.send(
    new GetSecretValueCommand({ SecretId: arn, VersionStage: "AWSCURRENT" }),
  );
  const value = JSON.parse(out.SecretString as string);
  return {
    versionId: out.VersionId,
    token: value.token as string,
    hoursLeft: (Date.parse(value.expiresAt) - Date.now()) / HOUR,
  };
};

describe("the deployed bundle", () => {
  const kind = "bundle" as const;
  /** The function as deployed, its Secrets Manager calls going through the fault proxy. */
  async function setUp(apiKey: string | null = KEY) {
    const fx = await proxiedRotationFixture(servers, kind, { apiKey: apiKey ?? undefined });
    return { fx, handler: fx.handler };
  }
  const rotate = (fx: RotationFixture, steps?: readonly string[]) =>
    driveRotation({ ...fx, secrets, secretArn: fx.tokenArn, timeoutMs: 4_500, steps });
  const step = (fx: RotationFixture, Step: string, versionId: string) =>
    fx.handler(
      { Step, SecretId: fx.tokenArn, ClientRequestToken: versionId },
      lambdaContext(4_500),
    );

  // An aged pending version, healed in the same window: rotation-heal-now.int.test.ts.
  describe("1. self-healing", () => {
    test("a re-attempt minutes after a failed testSecret keeps the pending token (still usable) and finishes", async () => {
      const { fx } = await setUp();
      expect((await rotate(fx)).error).toBeUndefined();
      await rotate(fx, ["createSecret", "setSecret"]);
      togai.inject({ path: "/authenticate", kind: "status", status: 502, times: 1000 });
      const failed = await rotate(fx, ["testSecret", "finishSecret"]);
      togai.clearFaults();
      expect(failed.failedStep).toBe("testSecret");
      const minted = togai.issuedTokens.length;

      const reattempt = await rotate(fx);

      expect(reattempt).toEqual({ versionId: failed.versionId });
      expect(togai.issuedTokens.length).toBe(minted);
      expect((await current(fx.tokenArn)).versionId).toBe(failed.versionId);
      expect(await unfinished(fx.tokenArn)).toEqual([]);
    });

    test.each([0, 1, 2, 3, 4])(
      "the function dies after call %i of finishSecret: the re-attempt ends the rotation cleanly",
      async (calls) => {
        const { fx } = await setUp();
        expect((await rotate(fx)).error).toBeUndefined();
        const started = await rotate(fx, ["createSecret", "setSecret", "testSecret"]);
        expect(started.error).toBeUndefined();
        proxy.arm({ kind: "die", fromCall: calls });
        await expect(step(fx, "finishSecret", started.versionId)).rejects.toThrow(
          /^Secrets Manager \w+ failed/,
        );
        proxy.arm(undefined);

        // Calls: DescribeSecret, GetSecretValue of the pending token, GetSecretValue of the key
        // (its version must still be the one that minted the token), then moving AWSCURRENT
        // (which takes effect even when the function dies before its answer), then removing
        // AWSPENDING. Once AWSCURRENT has moved the rotation is done.
        if (calls < 3) expect(await rotate(fx)).toEqual({ versionId: started.versionId });
        expect((await current(fx.tokenArn)).versionId).toBe(started.versionId);
        expect(await unfinished(fx.tokenArn)).toEqual([]);
        expect((await rotate(fx)).error).toBeUndefined();
      },
    );
  });

  describe("3. a key that cannot be a bearer value is bad input", () => {
    test.each([
      ["whitespace inside", "togai-key with-space"],
      ["a line break inside", "togai-key\nsecond-line"],
      ["non-ASCII", "togai-kéy-0123456789"],
      ["a JSON object", `{"apiKey":"${KEY}"}`],
    ])(
      "%s: no request to Togai, no retry, names the key secret and how to put a key",
      async (_, value) => {
        const { fx } = await setUp();
        await secrets.send(
          new PutSecretValueCommand({ SecretId: fx.apiKeyArn, SecretString: value }),
        );
        const calls = togai.calls.authenticate;

        const run = await rotate(fx);

        expect(run.failedStep).toBe("createSecret");
        expect(run.error?.name).toBe("InvalidCredentialError");
        expect(run.error?.message).toContain(
          `The API-key secret ${fx.apiKeyArn} holds a value that cannot be a Togai secret key`,
        );
        expect(run.error?.message).toContain("cdktf-togai put-api-key");
        expect(run.error?.message).not.toContain(value);
        expect(togai.calls.authenticate).toBe(calls);
        expect(output.captured).not.toContain("with-space");
      },
    );
  });

  describe("4. a body that is not JSON becomes a short typed error", () => {
    const html = `<html><body><h1>502 Bad Gateway</h1>${"<p>nginx</p>".repeat(200)}</body></html>`;

    test("Togai answers HTML: TogaiServerError, one line, no markup", async () => {
      const { fx } = await setUp();
      togai.inject({ path: "/authenticate", kind: "status", status: 502, body: html, times: 1000 });

      const run = await rotate(fx);

      expect(run.error?.name).toBe("TogaiServerError");
      expect(run.error?.message).toBe(
        "Togai refused to issue a token: Togai /authenticate answered HTTP 502 with a body that is not JSON",
      );
    });

    test("Secrets Manager (or a proxy before it) answers HTML: SecretsManagerCallError, one line, no markup", async () => {
      const { fx } = await setUp();
      proxy.arm({ kind: "html-502", fromCall: 0 });

      const run = await rotate(fx);

      expect(run.error?.name).toBe("SecretsManagerCallError");
      expect(run.error?.message).toBe(
        "Secrets Manager DescribeSecret answered (HTTP 502) with a body that is not AWS JSON (an outage or proxy page?) after 3 attempts",
      );
    });

    test("Secrets Manager throttles for good: the SDK's retries, then a short typed error", async () => {
      const { fx } = await setUp();
      proxy.arm({ kind: "throttle", fromCall: 1 });

      const run = await rotate(fx);

      expect(run.error?.name).toBe("SecretsManagerCallError");
      expect(run.error?.message).toMatch(
        /^Secrets Manager GetSecretValue failed: ThrottlingException \(HTTP 400\): Rate exceeded after 3 attempts$/,
      );
    });
  });

  describe("5. two rotations started close together converge", () => {
    test("put-api-key's rotation superseded by the key-change trigger's: one fresh AWSCURRENT, no stray AWSPENDING", async () => {
      const { fx } = await setUp();
      expect((await rotate(fx)).error).toBeUndefined();
      const before = await current(fx.tokenArn);
      // The operator's rotation starts and mints...
      const first = await secrets.send(
        new RotateSecretCommand({ SecretId: fx.tokenArn, RotationLambdaARN: fx.functionArn }),
      );
      await step(fx, "createSecret", first.VersionId as string);
      // ...while the key-change trigger starts its own.
      await fx.handler(
        {
          source: "aws.secretsmanager",
          "detail-type": "AWS API Call via CloudTrail",
          detail: { eventName: "PutSecretValue", requestParameters: { secretId: fx.apiKeyArn } },
        } as never,
        lambdaContext(),
      );
      const [second] = await unfinished(fx.tokenArn);
      expect(second).not.toBe(first.VersionId);

      // Secrets Manager goes on with both: the superseded one fails at once, AWSCURRENT untouched.
      await expect(step(fx, "setSecret", first.VersionId as string)).rejects.toThrow(
        `is not staged AWSPENDING: superseded by the rotation of version ${second}`,
      );
      expect(await current(fx.tokenArn)).toMatchObject({
        versionId: before.versionId,
        token: before.token,
      });
      const run = await rotate(fx);

      expect(run).toEqual({ versionId: second });
      const after = await current(fx.tokenArn);
      expect(after.versionId).toBe(second);
      expect(after.hoursLeft).toBeGreaterThan(23.9);
      expect(await unfinished(fx.tokenArn)).toEqual([]);
    });
  });

  describe("6. rotateImmediately: false, testSecret alone as the configuration check", () => {
    test("passes on a valueless AWSPENDING version, calls no one, writes nothing", async () => {
      const { fx } = await setUp();
      const [pending] = await unfinished(fx.tokenArn);
      const calls = togai.calls.authenticate;

      await step(fx, "testSecret", pending);

      expect(togai.calls.authenticate).toBe(calls);
      expect(await stagesOf(fx.tokenArn)).toEqual({ [pending]: ["AWSPENDING"] });
      // Secrets Manager then removes its temporary version.
      await secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: fx.tokenArn,
          VersionStage: "AWSPENDING",
          RemoveFromVersionId: pending,
        }),
      );
      expect(await unfinished(fx.tokenArn)).toEqual([]);
    });

    test("still proves the key secret is readable and holds a usable key", async () => {
      const { fx } = await setUp(null);
      const [pending] = await unfinished(fx.tokenArn);
      await expect(step(fx, "testSecret", pending)).rejects.toThrow(
        `The API-key secret ${fx.apiKeyArn} holds no Togai secret key yet`,
      );
      await secrets.send(
        new PutSecretValueCommand({ SecretId: fx.apiKeyArn, SecretString: "two words" }),
      );
      await expect(step(fx, "testSecret", pending)).rejects.toThrow("cannot be a Togai secret key");
    });
  });
});

test("5. two rotations started at the same instant: neither caller fails, one fresh AWSCURRENT, nothing left pending", async () => {
  const fx = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl, apiKey: KEY });
  const drive = () => driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });
  expect((await drive()).error).toBeUndefined();

  const starts = await Promise.all([
    startRotationNow(secrets, fx.tokenArn),
    startRotationNow(secrets, fx.tokenArn),
  ]);

  const [running] = await unfinished(fx.tokenArn);
  expect(starts.map((s) => s.versionId)).toContain(running);
  expect(await drive()).toEqual({ versionId: running });
  expect((await current(fx.tokenArn)).versionId).toBe(running);
  expect(await unfinished(fx.tokenArn)).toEqual([]);
});
