/**
 * The rotation function (the deployed bundle) driven as Secrets Manager drives it, against
 * moto_server and the Togai stand-in.
 */
import {
  CancelRotateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import {
  driveRotation,
  lambdaContext,
  ROTATION_STEPS,
  versionWithStage,
} from "../support/rotation-driver";
import { createRotationFixture, type RotationFixture } from "../support/rotation-fixture";
import { useRotationServers } from "../support/rotation-servers";
import type { TogaiStandIn } from "../support/togai-standin";

const SECRET_KEY = "togai-secret-key-0f3c9a77e5b14c2d8e1f6a0b";
const WRONG_KEY = "togai-secret-key-deactivated-91b2c3d4e5f6";

const servers = useRotationServers({ secretKeys: [SECRET_KEY], otherSecrets: [WRONG_KEY] });
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;
const { output } = servers;
beforeAll(() => {
  ({ togai, secrets } = servers);
});
afterAll(() => {
  const text = output.captured;
  expect(text).toContain('"step":"createSecret"');
});

async function currentValue(
  secretArn: string,
): Promise<{ versionId: string; value: Record<string, string> }> {
  const out = await secrets.send(
    new GetSecretValueCommand({ SecretId: secretArn, VersionStage: "AWSCURRENT" }),
  );
  return { versionId: out.VersionId as string, value: JSON.parse(out.SecretString as string) };
}

async function stagesOf(secretArn: string): Promise<Record<string, string[]>> {
  const meta = await secrets.send(new DescribeSecretCommand({ SecretId: secretArn }));
  return meta.VersionIdsToStages ?? {};
}

/** A fresh fixture; `apiKey: null` leaves the API-key secret without a value. */
async function fixture(options: { apiKey?: string | null; minTokenLifeHours?: number } = {}) {
  return createRotationFixture({
    secrets,
    togaiBaseUrl: togai.baseUrl,
    apiKey: options.apiKey === null ? undefined : (options.apiKey ?? SECRET_KEY),
    minTokenLifeHours: options.minTokenLifeHours,
  });
}

/** A fixture whose first rotation succeeded: AWSCURRENT holds a valid token. */
async function rotatedFixture(): Promise<{
  fx: RotationFixture;
  first: Awaited<ReturnType<typeof currentValue>>;
}> {
  const fx = await fixture();
  const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });
  expect(run.error).toBeUndefined();
  return { fx, first: await currentValue(fx.tokenArn) };
}

/** After a failure: AWSCURRENT still holds the previous, valid token. */
async function expectCurrentUnchanged(
  fx: RotationFixture,
  first: Awaited<ReturnType<typeof currentValue>>,
) {
  const now = await currentValue(fx.tokenArn);
  expect(now).toEqual(first);
  expect(Date.parse(now.value.expiresAt)).toBeGreaterThan(Date.now());
}

// The deployed bundle is the proof; the unit lane runs the source's steps
// (test/function/rotation-steps.test.ts, on the in-memory Secrets Manager).
describe("the deployed bundle", () => {
  describe("a successful rotation", () => {
    test("the first rotation mints a 24 h token into AWSCURRENT and leaves no AWSPENDING", async () => {
      const fx = await fixture();
      const before = togai.calls.authenticate;

      const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });

      expect(run.error).toBeUndefined();
      const { versionId, value } = await currentValue(fx.tokenArn);
      expect(versionId).toBe(run.versionId);
      expect(Object.keys(value).sort()).toEqual([
        "apiBaseUrl",
        "expiresAt",
        "issuedAt",
        "keyVersionId",
        "schemaVersion",
        "token",
      ]);
      expect(value.schemaVersion).toBe(1);
      // The key's version that minted it: finishSecret never promotes a token of a replaced key.
      const key = await secrets.send(
        new GetSecretValueCommand({ SecretId: fx.apiKeyArn, VersionStage: "AWSCURRENT" }),
      );
      expect(value.keyVersionId).toBe(key.VersionId);
      expect(togai.issuedTokens).toContain(value.token);
      expect(value.apiBaseUrl).toBe(togai.baseUrl);
      const hoursAhead = (Date.parse(value.expiresAt) - Date.now()) / 3_600_000;
      expect(hoursAhead).toBeGreaterThan(23.9);
      expect(hoursAhead).toBeLessThanOrEqual(24);
      expect(Date.parse(value.expiresAt) - Date.parse(value.issuedAt)).toBe(86_400_000);
      // One call mints with the key, one asks Togai whether it accepts the new token: the
      // secret's first value is made AWSCURRENT by Secrets Manager itself (PutSecretValue),
      // before testSecret could check it, so the later steps find the rotation done (rule 4).
      expect(togai.calls.authenticate - before).toBe(2);
      expect(togai.credentialKinds.slice(-2).map((c) => c.kind)).toEqual(["secret-key", "token"]);
      const stages = await stagesOf(fx.tokenArn);
      expect(
        Object.values(stages)
          .flat()
          .filter((s) => s === "AWSPENDING"),
      ).toEqual([]);
    });

    test("a second rotation moves AWSPREVIOUS to the first token's version", async () => {
      const { fx, first } = await rotatedFixture();

      const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });

      expect(run.error).toBeUndefined();
      const second = await currentValue(fx.tokenArn);
      expect(second.versionId).toBe(run.versionId);
      expect(second.value.token).not.toBe(first.value.token);
      const stages = await stagesOf(fx.tokenArn);
      expect(stages[first.versionId]).toEqual(["AWSPREVIOUS"]);
      expect(stages[second.versionId]).toEqual(["AWSCURRENT"]);
    });

    test("every step run twice gives the same result and mints one token", async () => {
      const fx = await fixture();
      const pending = (await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn, steps: [] }))
        .versionId;
      const mintedBefore = togai.issuedTokens.length;

      for (const step of ROTATION_STEPS) {
        for (let i = 0; i < 2; i++) {
          await fx.handler(
            { Step: step, SecretId: fx.tokenArn, ClientRequestToken: pending },
            lambdaContext(),
          );
        }
      }

      expect(togai.issuedTokens.length - mintedBefore).toBe(1);
      const { versionId, value } = await currentValue(fx.tokenArn);
      expect(versionId).toBe(pending);
      expect(value.token).toBe(togai.issuedTokens.at(-1));
    });

    test("429 from Togai is retried until it succeeds", async () => {
      const { fx } = await rotatedFixture();
      togai.inject({ path: "/authenticate", kind: "status", status: 429, times: 2 });
      const before = togai.calls.authenticate;

      const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });

      expect(run.error).toBeUndefined();
      expect(togai.calls.authenticate - before).toBe(4); // 2 throttled + mint + check
      expect(output.captured).toContain('"message":"Togai call failed, retrying"');
    });
  });

  describe("a failed rotation keeps the previous token current", () => {
    test("Togai 401: fails at once, names the key's secret, no retry", async () => {
      const { fx, first } = await rotatedFixture();
      await secrets.send(
        new PutSecretValueCommand({ SecretId: fx.apiKeyArn, SecretString: WRONG_KEY }),
      );
      const before = togai.calls.authenticate;

      const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });

      expect(run.failedStep).toBe("createSecret");
      expect(run.error?.message).toContain(
        `Togai rejected the secret key stored in ${fx.apiKeyArn}`,
      );
      expect(run.error?.message).toContain("put-api-key");
      expect(togai.calls.authenticate - before).toBe(1);
      await expectCurrentUnchanged(fx, first);
    });

    test("5xx until the Lambda's time budget runs out", async () => {
      const { fx, first } = await rotatedFixture();
      togai.inject({ path: "/authenticate", kind: "status", status: 503, times: 1000 });
      const started = Date.now();

      const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn, timeoutMs: 6_000 });

      togai.clearFaults();
      const elapsed = Date.now() - started;
      expect(run.failedStep).toBe("createSecret");
      expect(run.error?.name).toBe("TogaiServerError");
      expect(run.error?.message).toContain("HTTP 503");
      expect(elapsed).toBeLessThan(6_000);
      await expectCurrentUnchanged(fx, first);
    });

    test.each([
      ["malformed", "not a Togai token"],
      ["expired", "expired"],
      ["no-token", 'without a "token" string'],
    ] as const)("Togai answers 200 with a %s token", async (kind, message) => {
      const { fx, first } = await rotatedFixture();
      togai.inject({ path: "/authenticate", kind });

      const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });

      expect(run.failedStep).toBe("createSecret");
      expect(run.error?.message).toContain(message);
      await expectCurrentUnchanged(fx, first);
    });

    test("createSecret refuses a minted token with less life than the minimum, storing nothing", async () => {
      const fx = await fixture({ minTokenLifeHours: 23.99 });
      // A token issued 1 hour ago has 23 h left: below 23.99 h.
      const old = togai.mintToken(Math.floor(Date.now() / 1000) - 3600);
      togai.inject({
        path: "/authenticate",
        kind: "status",
        status: 200,
        body: JSON.stringify({ token: old }),
      });

      const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });

      expect(run.failedStep).toBe("createSecret");
      expect(run.error?.message).toMatch(/below the minimum of 23.99 h; nothing was stored/);
      expect(await stagesOf(fx.tokenArn)).toEqual({ [run.versionId]: ["AWSPENDING"] });
      await expect(
        secrets.send(
          new GetSecretValueCommand({ SecretId: fx.tokenArn, VersionId: run.versionId }),
        ),
      ).rejects.toThrow();
    });

    test("a missing key value fails with how to put the key, without calling Togai", async () => {
      const fx = await fixture({ apiKey: null });
      const before = togai.calls.authenticate;

      const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });

      expect(run.failedStep).toBe("createSecret");
      expect(run.error?.message).toContain(
        `The API-key secret ${fx.apiKeyArn} holds no Togai secret key yet`,
      );
      expect(run.error?.message).toContain("cdktf-togai put-api-key");
      expect(togai.calls.authenticate).toBe(before);
      await expect(
        secrets.send(
          new GetSecretValueCommand({ SecretId: fx.tokenArn, VersionStage: "AWSCURRENT" }),
        ),
      ).rejects.toThrow(/can't find the specified secret/);
    });
  });

  describe("every invocation checks the protocol's preconditions", () => {
    let fx: RotationFixture;
    let first: Awaited<ReturnType<typeof currentValue>>;
    beforeAll(async () => {
      ({ fx, first } = await rotatedFixture());
    });

    const invoke = (
      event: Partial<{ Step: string; SecretId: string; ClientRequestToken: string }>,
    ) =>
      fx.handler(
        {
          Step: "createSecret",
          SecretId: fx.tokenArn,
          ClientRequestToken: first.versionId,
          ...event,
        },
        lambdaContext(),
      );

    test("an unknown step is an error", async () => {
      await expect(invoke({ Step: "rotateEverything" })).rejects.toThrow(
        'Unknown rotation step "rotateEverything": expected one of createSecret, setSecret, testSecret, finishSecret',
      );
    });

    test("another secret's id is refused", async () => {
      const other = await fixture();
      await expect(invoke({ SecretId: other.tokenArn })).rejects.toThrow(
        `This function rotates ${fx.tokenArn} only; it was invoked for ${other.tokenArn}`,
      );
    });

    test("a version id that is not a version of the secret is refused", async () => {
      await expect(
        invoke({ ClientRequestToken: "00000000-0000-4000-8000-000000000000" }),
      ).rejects.toThrow("or it is not a version of this secret");
    });

    test("a version that already holds AWSCURRENT means the rotation is done", async () => {
      const before = togai.calls.authenticate;
      await expect(invoke({ Step: "finishSecret" })).resolves.toBeUndefined();
      expect(togai.calls.authenticate).toBe(before);
    });

    test("a version that is neither current nor pending is refused", async () => {
      await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });
      // `first` is now AWSPREVIOUS only.
      await expect(invoke({ Step: "setSecret" })).rejects.toThrow("is not staged AWSPENDING");
    });

    test("setSecret without a created value fails", async () => {
      const fresh = await fixture();
      const pending = (
        await driveRotation({ ...fresh, secrets, secretArn: fresh.tokenArn, steps: [] })
      ).versionId;
      for (const Step of ["setSecret", "finishSecret"]) {
        await expect(
          fresh.handler(
            { Step, SecretId: fresh.tokenArn, ClientRequestToken: pending },
            lambdaContext(),
          ),
        ).rejects.toThrow("has no value yet: createSecret must run before this step");
      }
    });

    test("a key-change event for the API-key secret starts a rotation; one for another secret is ignored", async () => {
      const fresh = await fixture();
      const event = (secretId: string) =>
        ({
          source: "aws.secretsmanager",
          "detail-type": "AWS API Call via CloudTrail",
          detail: { eventName: "PutSecretValue", requestParameters: { secretId } },
        }) as unknown as Parameters<typeof fresh.handler>[0];
      const staged = await versionWithStage(secrets, fresh.tokenArn, "AWSPENDING");

      await fresh.handler(event("billing/some-other-secret"), lambdaContext());
      expect(await versionWithStage(secrets, fresh.tokenArn, "AWSPENDING")).toBe(staged);

      await fresh.handler(event(fresh.apiKeyArn), lambdaContext());
      const pending = await versionWithStage(secrets, fresh.tokenArn, "AWSPENDING");
      expect(pending).not.toBe(staged);
      expect(output.captured).toContain(
        '"message":"cleared AWSPENDING left by an unfinished rotation"',
      );
      const run = await driveRotation({ ...fresh, secrets, secretArn: fresh.tokenArn });
      expect(run.error).toBeUndefined();
      expect(run.versionId).toBe(pending);
    });

    test("a key-change event naming the API-key secret by its partial ARN also starts a rotation", async () => {
      const fresh = await fixture();
      const staged = await versionWithStage(secrets, fresh.tokenArn, "AWSPENDING");
      const partialArn = fresh.apiKeyArn.replace(/-[A-Za-z0-9]{6}$/, "");
      expect(partialArn).not.toBe(fresh.apiKeyArn);
      await fresh.handler(
        {
          source: "aws.secretsmanager",
          "detail-type": "AWS API Call via CloudTrail",
          detail: { eventName: "PutSecretValue", requestParameters: { secretId: partialArn } },
        } as unknown as Parameters<typeof fresh.handler>[0],
        lambdaContext(),
      );
      expect(await versionWithStage(secrets, fresh.tokenArn, "AWSPENDING")).not.toBe(staged);
    });

    test("rotation disabled on the secret is refused", async () => {
      const fresh = await fixture();
      const pending = (
        await driveRotation({ ...fresh, secrets, secretArn: fresh.tokenArn, steps: [] })
      ).versionId;
      await secrets.send(new CancelRotateSecretCommand({ SecretId: fresh.tokenArn }));
      await expect(
        fresh.handler(
          { Step: "createSecret", SecretId: fresh.tokenArn, ClientRequestToken: pending },
          lambdaContext(),
        ),
      ).rejects.toThrow(`Rotation is not enabled on secret ${fresh.tokenArn}`);
      await secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: fresh.tokenArn,
          VersionStage: "AWSPENDING",
          RemoveFromVersionId: pending,
        }),
      );
    });
  });
});
