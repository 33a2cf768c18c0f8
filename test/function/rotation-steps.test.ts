/**
 * The rotation steps' logic, in the unit lane: the handler's source on the in-memory Secrets
 * Manager (checked against moto by test/aws/secrets-manager-double.int.test.ts) and the Togai
 * stand-in. The deployed bundle on moto_server is proven by the integration suites beside this
 * file; these tests keep every rule of docs/rotation-protocol.md one fast run away.
 */
import {
  CancelRotateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { startRotationNow } from "../../lib/aws/start-rotation";
import { leakedSecrets, OutputCapture } from "../support/capture-output";
import { driveRotation, lambdaContext, versionWithStage } from "../support/rotation-driver";
import { type UnitRotationFixture, unitRotationFixture } from "../support/rotation-unit-fixture";
import { type TogaiStandIn, useTogaiStandIn } from "../support/togai-standin";

const KEY = "togai-secret-key-0f3c9a77e5b14c2d8e1f6a0b";
const WRONG_KEY = "togai-secret-key-deactivated-91b2c3d4e5f6";

const standIn = useTogaiStandIn({
  secretKeys: [KEY],
  rateLimits: false,
  unauthenticatedLimit: 1000,
});
let togai: TogaiStandIn;
const output = new OutputCapture();
beforeAll(() => {
  togai = standIn.togai;
  output.start();
});
afterAll(() => {
  const text = output.stop();
  // Invariant: no log line or error of any test here shows a key or a token.
  expect(text).toContain('"step":"createSecret"');
  expect(leakedSecrets(text, [KEY, WRONG_KEY, ...togai.issuedTokens])).toEqual([]);
});

const fixture = (options: { apiKey?: string | null; minTokenLifeHours?: number } = {}) =>
  unitRotationFixture({
    togaiBaseUrl: togai.baseUrl,
    apiKey: options.apiKey === null ? undefined : (options.apiKey ?? KEY),
    minTokenLifeHours: options.minTokenLifeHours,
  });

const drive = (fx: UnitRotationFixture, extra: { steps?: string[]; timeoutMs?: number } = {}) =>
  driveRotation({ ...fx, secretArn: fx.tokenArn, ...extra });

const invoke = (fx: UnitRotationFixture, Step: string, ClientRequestToken: string) =>
  fx.handler({ Step, SecretId: fx.tokenArn, ClientRequestToken }, lambdaContext());

async function current(fx: UnitRotationFixture) {
  const out = await fx.secrets.send(
    new GetSecretValueCommand({ SecretId: fx.tokenArn, VersionStage: "AWSCURRENT" }),
  );
  return { versionId: out.VersionId as string, value: JSON.parse(out.SecretString as string) };
}

/** A fixture whose first rotation succeeded. */
async function rotated(options: { minTokenLifeHours?: number } = {}) {
  const fx = await fixture(options);
  expect((await drive(fx)).error).toBeUndefined();
  return { fx, first: await current(fx) };
}

/** Runs steps up to and including `last`, leaving the version pending. */
async function pendingAfter(fx: UnitRotationFixture, last: "createSecret" | "testSecret") {
  const steps = last === "createSecret" ? ["createSecret"] : ["createSecret", "testSecret"];
  const run = await drive(fx, { steps });
  expect(run.error).toBeUndefined();
  return run.versionId;
}

describe("a successful rotation", () => {
  test("mints a 24 h token into AWSCURRENT, records the key's version, leaves no AWSPENDING", async () => {
    const fx = await fixture();
    const run = await drive(fx);
    expect(run.error).toBeUndefined();
    const { versionId, value } = await current(fx);
    expect(versionId).toBe(run.versionId);
    expect(togai.issuedTokens).toContain(value.token);
    expect(Date.parse(value.expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(value.keyVersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBeUndefined();
  });

  test("a second rotation moves AWSPREVIOUS to the first token's version", async () => {
    const { fx, first } = await rotated();
    expect((await drive(fx)).error).toBeUndefined();
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPREVIOUS")).toBe(first.versionId);
    expect((await current(fx)).versionId).not.toBe(first.versionId);
    // Rule 13 for a rotation finishSecret ends (the first one ends in createSecret).
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBeUndefined();
  });

  test("every step run twice mints one token and ends the same", async () => {
    const fx = await fixture();
    const before = togai.calls.authenticate;
    const run = await drive(fx, { steps: ["createSecret", "createSecret", "setSecret"] });
    expect(run.error).toBeUndefined();
    // createSecret twice: one mint and one check of the stored token on the second run.
    expect(togai.calls.authenticate - before).toBe(2);
    for (const step of ["testSecret", "testSecret", "finishSecret", "finishSecret"]) {
      await invoke(fx, step, run.versionId);
    }
    expect((await current(fx)).versionId).toBe(run.versionId);
  });

  // The test above re-runs createSecret on the secret's first version, which is AWSCURRENT by then
  // and returns at rule 4: only a later rotation keeps a pending value by rule 7.
  test("createSecret re-run on a later rotation keeps the pending token: no second mint (rule 7)", async () => {
    const { fx } = await rotated();
    const before = togai.calls.authenticate;
    const run = await drive(fx, { steps: ["createSecret", "createSecret"] });
    expect(run.error).toBeUndefined();
    expect(togai.calls.authenticate - before).toBe(1);
    const pending = await fx.secrets.send(
      new GetSecretValueCommand({ SecretId: fx.tokenArn, VersionStage: "AWSPENDING" }),
    );
    expect(pending.VersionId).toBe(run.versionId);
    for (const step of ["setSecret", "testSecret", "finishSecret"]) {
      await invoke(fx, step, run.versionId);
    }
    expect((await current(fx)).value.token).toBe(JSON.parse(pending.SecretString as string).token);
  });

  test("429 from Togai is retried until it succeeds", async () => {
    const fx = await fixture();
    togai.inject({ path: "/authenticate", kind: "status", status: 429, retryAfter: "0", times: 2 });
    expect((await drive(fx)).error).toBeUndefined();
  });
});

describe("a failed rotation keeps AWSCURRENT", () => {
  test("Togai refuses the key: fails at once, names the key's secret, starts no fresh rotation", async () => {
    const { fx, first } = await rotated();
    await fx.secrets.send(
      new PutSecretValueCommand({ SecretId: fx.apiKeyArn, SecretString: WRONG_KEY }),
    );
    const before = togai.calls.authenticate;
    const run = await drive(fx);
    expect(run.failedStep).toBe("createSecret");
    expect(run.error?.message).toContain(`Togai rejected the secret key stored in ${fx.apiKeyArn}`);
    expect(run.error?.message).toContain("No fresh rotation is started");
    expect(togai.calls.authenticate - before).toBe(1);
    expect(await current(fx)).toEqual(first);
    // Its re-attempt fails in the dispatcher, without sending Togai the key again.
    await expect(invoke(fx, "createSecret", run.versionId)).rejects.toThrow("given up");
    expect(togai.calls.authenticate - before).toBe(1);
  });

  test("5xx until the time budget runs out: a typed error, AWSCURRENT kept", async () => {
    const { fx, first } = await rotated();
    togai.inject({ path: "/authenticate", kind: "status", status: 503, times: 1000 });
    const run = await drive(fx, { timeoutMs: 3_400 });
    expect(run.failedStep).toBe("createSecret");
    expect(run.error?.name).toBe("TogaiServerError");
    expect(run.error?.message).toContain("HTTP 503");
    expect(await current(fx)).toEqual(first);
  });

  test.each([
    ["malformed", "not a Togai token"],
    ["expired", "expired"],
    ["no-token", 'without a "token" string'],
  ] as const)("Togai answers 200 with a %s token", async (kind, message) => {
    const { fx, first } = await rotated();
    togai.inject({ path: "/authenticate", kind });
    const run = await drive(fx);
    expect(run.failedStep).toBe("createSecret");
    expect(run.error?.message).toContain(message);
    expect(await current(fx)).toEqual(first);
  });

  test("a minted token with less life than the minimum is refused, nothing stored", async () => {
    const fx = await fixture({ minTokenLifeHours: 23.99 });
    const old = togai.mintToken(Math.floor(Date.now() / 1000) - 3600);
    togai.inject({
      path: "/authenticate",
      kind: "status",
      status: 200,
      body: JSON.stringify({ token: old }),
    });
    const run = await drive(fx);
    expect(run.failedStep).toBe("createSecret");
    expect(run.error?.message).toMatch(/below the minimum of 23.99 h; nothing was stored/);
    expect(fx.sm.count("PutSecretValue")).toBe(0);
  });

  test("a minted token living longer than Togai's 24 h cannot be Togai's: nothing stored", async () => {
    const fx = await fixture();
    const long = togai.mintToken(Math.floor(Date.now() / 1000), 48 * 3600);
    togai.inject({
      path: "/authenticate",
      kind: "status",
      status: 200,
      body: JSON.stringify({ token: long }),
    });
    const run = await drive(fx);
    expect(run.error?.message).toContain("returned a token that cannot be Togai's");
    expect(fx.sm.count("PutSecretValue")).toBe(0);
  });

  test("the first token, refused by Togai, never becomes AWSCURRENT by itself", async () => {
    const fx = await fixture();
    togai.refuseTokens = true;
    try {
      const run = await drive(fx);
      expect(run.failedStep).toBe("createSecret");
      expect(run.error?.message).toContain("a secret's first value becomes AWSCURRENT");
    } finally {
      togai.refuseTokens = false;
    }
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSCURRENT")).toBeUndefined();
  });

  test("no key yet: says how to put it, calls Togai never", async () => {
    const fx = await fixture({ apiKey: null });
    const before = togai.calls.authenticate;
    const run = await drive(fx);
    expect(run.failedStep).toBe("createSecret");
    expect(run.error?.message).toContain("put-api-key");
    expect(togai.calls.authenticate).toBe(before);
  });

  test("Secrets Manager failing on finishSecret: a short typed error; the re-attempt finishes", async () => {
    const { fx, first } = await rotated();
    const pending = await pendingAfter(fx, "testSecret");
    fx.sm.fault = (operation) =>
      operation === "UpdateSecretVersionStage"
        ? { status: 500, type: "InternalServiceError", message: "try later" }
        : undefined;
    await expect(invoke(fx, "finishSecret", pending)).rejects.toThrow(
      "Secrets Manager UpdateSecretVersionStage failed: InternalServiceError (HTTP 500): try later",
    );
    expect(await current(fx)).toEqual(first);
    fx.sm.fault = undefined;
    await invoke(fx, "finishSecret", pending);
    expect((await current(fx)).versionId).toBe(pending);
  });
});

describe("healing: a version that cannot succeed is given up and replaced once", () => {
  test("Togai refuses the pending token: AWSPENDING comes off, a fresh rotation starts and mints", async () => {
    const { fx, first } = await rotated();
    const pending = await pendingAfter(fx, "createSecret");
    togai.refuseTokens = true;
    try {
      await expect(invoke(fx, "testSecret", pending)).rejects.toThrow(
        `a fresh rotation was started as version togai-heal-${pending}`,
      );
    } finally {
      togai.refuseTokens = false;
    }
    expect(await current(fx)).toEqual(first);
    const fresh = await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING");
    expect(fresh).toBe(`togai-heal-${pending}`);
    // Secrets Manager re-attempts the given-up version: it fails without calling Togai.
    const before = togai.calls.authenticate;
    await expect(invoke(fx, "testSecret", pending)).rejects.toThrow("superseded");
    expect(togai.calls.authenticate).toBe(before);
    const run = await drive(fx);
    expect(run).toEqual({ versionId: fresh });
    expect((await current(fx)).versionId).toBe(fresh);
  });

  test("Togai answering the pending token with another token: given up like a refusal", async () => {
    const { fx, first } = await rotated();
    const pending = await pendingAfter(fx, "createSecret");
    const other = JSON.stringify({ token: togai.mintToken() });
    togai.inject({ path: "/authenticate", kind: "status", status: 200, body: other });
    await expect(invoke(fx, "testSecret", pending)).rejects.toThrow(
      `did not return that same token: Togai does not accept it): AWSPENDING was removed from it; a fresh rotation was started as version togai-heal-${pending}`,
    );
    expect(await current(fx)).toEqual(first);
  });

  test("the function's own fresh rotation, refused again, starts no further one in its window", async () => {
    await rotated();
    const { fx } = await rotated();
    togai.refuseTokens = true;
    try {
      const first = await drive(fx);
      expect(first.error?.message).toContain("a fresh rotation was started");
      const heal = await drive(fx);
      expect(heal.versionId).toBe(`togai-heal-${first.versionId}`);
      expect(heal.error?.message).toContain("no further one is started");
    } finally {
      togai.refuseTokens = false;
    }
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBeUndefined();
  });

  test("a pending token aged below the minimum is given up at testSecret", async () => {
    const { fx } = await rotated({ minTokenLifeHours: 23.5 });
    const pending = await pendingAfter(fx, "createSecret");
    const stored = await fx.secrets.send(
      new GetSecretValueCommand({ SecretId: fx.tokenArn, VersionId: pending }),
    );
    // The same version, read an hour later: its token has 23 h left.
    const realNow = Date.now;
    Date.now = () => realNow() + 3_600_000;
    try {
      await expect(invoke(fx, "testSecret", pending)).rejects.toThrow(
        "its pending value is not usable",
      );
    } finally {
      Date.now = realNow;
    }
    expect(stored.SecretString).toBeDefined();
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBe(
      `togai-heal-${pending}`,
    );
  });

  test("a pending value that is not the token JSON is given up at createSecret, not kept (rule 7)", async () => {
    const { fx, first } = await rotated();
    const run = await drive(fx, { steps: [] });
    await fx.secrets.send(
      new PutSecretValueCommand({
        SecretId: fx.tokenArn,
        ClientRequestToken: run.versionId,
        SecretString: "not json",
        VersionStages: ["AWSPENDING"],
      }),
    );
    await expect(invoke(fx, "createSecret", run.versionId)).rejects.toThrow(
      "its pending value is no longer usable: it is not the token secret's JSON",
    );
    expect(await current(fx)).toEqual(first);
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBe(
      `togai-heal-${run.versionId}`,
    );
  });

  test("a key replaced between createSecret and finishSecret: never promoted, a fresh rotation mints from the new key", async () => {
    const { fx, first } = await rotated();
    const pending = await pendingAfter(fx, "testSecret");
    await fx.secrets.send(new PutSecretValueCommand({ SecretId: fx.apiKeyArn, SecretString: KEY }));
    await expect(invoke(fx, "finishSecret", pending)).rejects.toThrow("which version");
    expect(await current(fx)).toEqual(first);
    const run = await drive(fx);
    expect(run).toEqual({ versionId: `togai-heal-${pending}` });
  });

  test("a refused pending token whose give-up failed is given up at the re-attempt without asking Togai again", async () => {
    const { fx } = await rotated();
    const pending = await pendingAfter(fx, "createSecret");
    togai.refuseTokens = true;
    fx.sm.fault = (operation) =>
      operation === "UpdateSecretVersionStage"
        ? { status: 500, type: "InternalServiceError", message: "injected" }
        : undefined;
    try {
      await expect(invoke(fx, "testSecret", pending)).rejects.toThrow();
    } finally {
      togai.refuseTokens = false;
      fx.sm.fault = undefined;
    }
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBe(pending);
    const before = togai.calls.authenticate;
    await expect(invoke(fx, "testSecret", pending)).rejects.toThrow(
      "Togai refused its token at an earlier attempt",
    );
    // The refused token is not shown to Togai again, though Togai would accept it now.
    expect(togai.calls.authenticate).toBe(before);
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBe(
      `togai-heal-${pending}`,
    );
  });

  test("a failed start of the fresh rotation is retried by the given-up version's re-attempt", async () => {
    const { fx } = await rotated();
    const pending = await pendingAfter(fx, "createSecret");
    togai.refuseTokens = true;
    fx.sm.fault = (operation) =>
      operation === "RotateSecret" ? { status: 400, type: "ThrottlingException" } : undefined;
    try {
      await expect(invoke(fx, "testSecret", pending)).rejects.toThrow(
        "Secrets Manager's next re-attempt of this version starts it",
      );
      fx.sm.fault = undefined;
      await expect(invoke(fx, "testSecret", pending)).rejects.toThrow(
        "its fresh rotation had not started",
      );
    } finally {
      togai.refuseTokens = false;
      fx.sm.fault = undefined;
    }
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBe(
      `togai-heal-${pending}`,
    );
  });
});

describe("a rotation superseded while it mints stores nothing", () => {
  /** Another caller's rotation (put-api-key, the key-change trigger), started once. */
  function supersedeOn(
    fx: UnitRotationFixture,
    when: (operation: string, input: { SecretId?: string }) => boolean,
  ) {
    let started = false;
    fx.sm.before = async (operation, input) => {
      if (started || !when(operation, input)) return;
      started = true;
      await startRotationNow(fx.secrets, fx.tokenArn);
    };
  }

  test("superseded during the mint: the check before the put sees it", async () => {
    const { fx, first } = await rotated();
    // The key read comes after the dispatcher's checks and before the mint.
    supersedeOn(fx, (op, input) => op === "GetSecretValue" && input.SecretId === fx.apiKeyArn);
    const puts = fx.sm.count("PutSecretValue");
    const run = await drive(fx);
    expect(run.failedStep).toBe("createSecret");
    expect(run.error?.message).toMatch(
      /superseded by the rotation of version [0-9a-f-]{36}; nothing was stored/,
    );
    expect(fx.sm.count("PutSecretValue")).toBe(puts);
    expect(await current(fx)).toEqual(first);
  });

  test("superseded between that check and the put: Secrets Manager refuses the value", async () => {
    const { fx, first } = await rotated();
    supersedeOn(fx, (op) => op === "PutSecretValue");
    const run = await drive(fx);
    expect(run.failedStep).toBe("createSecret");
    expect(run.error?.message).toMatch(
      /superseded by the rotation of version [0-9a-f-]{36}; nothing was stored/,
    );
    expect(await current(fx)).toEqual(first);
    // The newer rotation runs to the end.
    fx.sm.before = undefined;
    expect((await drive(fx)).error).toBeUndefined();
  });
});

describe("every invocation checks the protocol's preconditions", () => {
  test("an unknown step, another secret, a stranger version, a done version", async () => {
    const { fx, first } = await rotated();
    const other = await fixture();
    await expect(invoke(fx, "rotateEverything", first.versionId)).rejects.toThrow(
      'Unknown rotation step "rotateEverything"',
    );
    await expect(
      fx.handler(
        { Step: "createSecret", SecretId: other.tokenArn, ClientRequestToken: first.versionId },
        lambdaContext(),
      ),
    ).rejects.toThrow(`This function rotates ${fx.tokenArn} only`);
    await expect(
      invoke(fx, "createSecret", "00000000-0000-4000-8000-000000000000"),
    ).rejects.toThrow("or it is not a version of this secret");
    await expect(invoke(fx, "finishSecret", first.versionId)).resolves.toBeUndefined();
  });

  test("setSecret and finishSecret before createSecret fail", async () => {
    const fx = await fixture();
    const pending = (await drive(fx, { steps: [] })).versionId;
    for (const step of ["setSecret", "finishSecret"]) {
      await expect(invoke(fx, step, pending)).rejects.toThrow(
        "has no value yet: createSecret must run before this step",
      );
    }
  });

  test("testSecret on a valueless version is the configuration check: it writes nothing", async () => {
    const fx = await fixture();
    const pending = (await drive(fx, { steps: [] })).versionId;
    const before = togai.calls.authenticate;
    await expect(invoke(fx, "testSecret", pending)).resolves.toBeUndefined();
    expect(togai.calls.authenticate).toBe(before);
    expect(fx.sm.count("PutSecretValue")).toBe(0);
  });

  test("rotation disabled on the secret is refused", async () => {
    const fx = await fixture();
    const pending = (await drive(fx, { steps: [] })).versionId;
    await fx.secrets.send(new CancelRotateSecretCommand({ SecretId: fx.tokenArn }));
    await expect(invoke(fx, "createSecret", pending)).rejects.toThrow(
      `Rotation is not enabled on secret ${fx.tokenArn}`,
    );
  });

  test("a version that lost AWSPENDING before it minted: nothing is left to do for it", async () => {
    const fx = await fixture();
    const pending = (await drive(fx, { steps: [] })).versionId;
    await fx.secrets.send(
      new UpdateSecretVersionStageCommand({
        SecretId: fx.tokenArn,
        VersionStage: "AWSPENDING",
        RemoveFromVersionId: pending,
      }),
    );
    await expect(invoke(fx, "createSecret", pending)).rejects.toThrow("nothing is left to do");
  });

  test("a key-change event for the API-key secret starts a rotation; another secret's is ignored", async () => {
    const fx = await fixture();
    const event = (secretId: string) =>
      ({
        source: "aws.secretsmanager",
        "detail-type": "AWS API Call via CloudTrail",
        detail: { eventName: "PutSecretValue", requestParameters: { secretId } },
      }) as unknown as Parameters<typeof fx.handler>[0];
    const staged = await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING");
    await fx.handler(event("billing/some-other-secret"), lambdaContext());
    expect(await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING")).toBe(staged);
    await fx.handler(event(fx.apiKeyArn.replace(/-[A-Za-z0-9]{6}$/, "")), lambdaContext());
    const pending = await versionWithStage(fx.secrets, fx.tokenArn, "AWSPENDING");
    expect(pending).not.toBe(staged);
    expect(await drive(fx)).toEqual({ versionId: pending });
  });
});

describe("the API-key secret as bad input", () => {
  test.each([
    [false, "is scheduled for deletion: restore it"],
    [true, "or no longer exists"],
  ])(
    "a deleted key secret (without recovery: %s) says so and what to do",
    async (force, message) => {
      const fx = await fixture();
      await fx.secrets.send(
        new DeleteSecretCommand({ SecretId: fx.apiKeyArn, ForceDeleteWithoutRecovery: force }),
      );
      const run = await drive(fx);
      expect(run.failedStep).toBe("createSecret");
      expect(run.error?.message).toContain(message);
    },
  );

  test("a binary value is named as such, not as 'no key yet'; Togai sees nothing", async () => {
    const fx = await fixture({ apiKey: null });
    await fx.secrets.send(
      new PutSecretValueCommand({ SecretId: fx.apiKeyArn, SecretBinary: Buffer.from(KEY) }),
    );
    const before = togai.calls.authenticate;
    const run = await drive(fx);
    expect(run.error?.message).toContain("holds a binary value (SecretBinary)");
    expect(togai.calls.authenticate).toBe(before);
  });

  test("a key that cannot be a bearer value is refused before Togai sees it", async () => {
    const fx = await fixture({ apiKey: "  spaced key\n" });
    const before = togai.calls.authenticate;
    const run = await drive(fx);
    expect(run.failedStep).toBe("createSecret");
    expect(togai.calls.authenticate).toBe(before);
  });
});
