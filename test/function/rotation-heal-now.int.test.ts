/**
 * Healing costs no interval: an aged pending version met at the next scheduled rotation is given
 * up and the function starts a fresh rotation itself, which Secrets Manager then runs, so a fresh
 * token is in AWSCURRENT within that same window. And a rotation superseded while it mints never
 * takes AWSPENDING back from the newer one. The deployed bundle (and, for coverage of lib/, the
 * source) against moto_server (the function's own calls through a fault proxy) and the Togai
 * stand-in, on a simulated clock.
 */

import { gzipSync } from "node:zlib";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { startRotationNow } from "../../lib/aws/start-rotation";
import { driveRotation, lambdaContext } from "../support/rotation-driver";
import type { SecretsManagerFaultProxy } from "../support/rotation-fault-proxy";
import type { RotationFixture } from "../support/rotation-fixture";
import { proxiedRotationFixture, useRotationServers } from "../support/rotation-servers";
import { unfinishedVersions } from "../support/secrets-manager-model";
import type { TogaiStandIn } from "../support/togai-standin";

const KEY = "togai-secret-key-3f7a1c9e5b0d2468ace1";
const HOUR = 3_600_000;

const servers = useRotationServers({ secretKeys: [KEY], faultProxy: true });
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;
let proxy: SecretsManagerFaultProxy;
beforeAll(() => {
  ({ togai, secrets, proxy } = servers);
});

const unfinished = (arn: string) => unfinishedVersions(secrets, arn);
const current = async (arn: string) => {
  const out = await secrets.send(
    new GetSecretValueCommand({ SecretId: arn, VersionStage: "AWSCURRENT" }),
  );
  const value = JSON.parse(out.SecretString as string);
  return {
    versionId: out.VersionId,
    hoursLeft: (Date.parse(value.expiresAt) - Date.now()) / HOUR,
  };
};

/** The function as deployed (or its source), its Secrets Manager calls through the fault proxy. */
const setUp = (kind: "bundle" | "source", client?: SecretsManagerClient) =>
  proxiedRotationFixture(servers, kind, { apiKey: KEY, client });
const rotate = (fx: RotationFixture, steps?: readonly string[]) =>
  driveRotation({ ...fx, secrets, secretArn: fx.tokenArn, timeoutMs: 4_500, steps });
const step = (fx: RotationFixture, Step: string, versionId: string) =>
  fx.handler({ Step, SecretId: fx.tokenArn, ClientRequestToken: versionId }, lambdaContext(4_500));

describe("the deployed bundle", () => {
  const kind = "bundle" as const;
  // Invariant: with an 8 h interval (where healing one interval later let AWSCURRENT expire),
  // the window that meets an aged pending version ends with a fresh token in AWSCURRENT, and
  // AWSCURRENT is never touched by the given-up version nor expired meanwhile.
  test("an aged pending version at the next schedule (8 h interval): a fresh token is AWSCURRENT within that same window", async () => {
    const fx = await setUp(kind);
    expect((await rotate(fx)).error).toBeUndefined();
    const clock = FakeTimers.install({
      toFake: ["Date"],
      now: Date.now(),
      shouldAdvanceTime: true,
    });
    try {
      // Window 1: the token is minted, then Togai fails testSecret on every re-attempt.
      clock.setSystemTime(clock.now + 8 * HOUR);
      const first = await current(fx.tokenArn);
      expect((await rotate(fx, ["createSecret", "setSecret"])).error).toBeUndefined();
      togai.inject({ path: "/authenticate", kind: "status", status: 503, times: 1000 });
      const failed = await rotate(fx, ["testSecret", "finishSecret"]);
      togai.clearFaults();
      expect(failed.failedStep).toBe("testSecret");

      // Window 2: Secrets Manager re-attempts the same version; its token has 16 h left.
      clock.setSystemTime(clock.now + 8 * HOUR);
      const windowOpened = Date.now();
      const reattempt = await rotate(fx);
      expect(reattempt).toMatchObject({ versionId: failed.versionId, failedStep: "createSecret" });
      const [fresh] = await unfinished(fx.tokenArn);
      expect(fresh).toBeDefined();
      expect(fresh).toBe(`togai-heal-${failed.versionId}`);
      expect(reattempt.error?.message).toMatch(
        new RegExp(
          `^Version ${failed.versionId} of ${fx.tokenArn} was given up \\(its pending value is no longer usable: its token has 1[56]\\.\\d\\d h of life left, below the minimum of 20 h\\): AWSPENDING was removed from it; a fresh rotation was started as version ${fresh}, which mints a new token now; AWSCURRENT keeps the previous token until it finishes$`,
        ),
      );
      expect(await current(fx.tokenArn)).toMatchObject({ versionId: first.versionId });

      // Secrets Manager's further re-attempts of the given-up version fail by rule 4 and
      // touch nothing.
      await expect(step(fx, "setSecret", failed.versionId)).rejects.toThrow(
        `superseded by the rotation of version ${fresh}`,
      );
      expect(await current(fx.tokenArn)).toMatchObject({ versionId: first.versionId });

      // Secrets Manager runs the rotation the function started: a fresh token, same window.
      clock.setSystemTime(clock.now + 60_000);
      expect(await rotate(fx)).toEqual({ versionId: fresh });
      const now = await current(fx.tokenArn);
      expect(now.versionId).toBe(fresh);
      expect(now.hoursLeft).toBeGreaterThan(23.9);
      expect(Date.now() - windowOpened).toBeLessThan(HOUR);
      expect(await unfinished(fx.tokenArn)).toEqual([]);
    } finally {
      clock.uninstall();
    }
  });
});

// Invariant: a failed fresh start leaves nothing stuck: the next re-attempt of the given-up
// version starts the fresh rotation (and only it), whatever point the failure hit.
// Calls of the re-attempt that gives up: DescribeSecret, GetSecretValue (the aged token),
// removing AWSPENDING, then RotateSecret.
describe("the deployed bundle, Secrets Manager failing while it gives a version up", () => {
  const kind = "bundle" as const;
  test.each([
    [
      "RotateSecret fails (HTTP 500 after the SDK's retries)",
      { kind: "internal-error", fromCall: 3 },
      /: AWSPENDING was removed from it; starting a fresh rotation failed \(Secrets Manager RotateSecret failed: InternalServiceError .+\): Secrets Manager's next re-attempt of this version starts it, or else the next scheduled rotation tries again; AWSCURRENT keeps the previous token$/,
      false,
    ],
    [
      "the function dies after removing AWSPENDING, before RotateSecret",
      { kind: "die", fromCall: 2 },
      /^Secrets Manager UpdateSecretVersionStage failed/,
      false,
    ],
    [
      "the function dies after RotateSecret took effect, before its answer",
      { kind: "die", fromCall: 3 },
      /starting a fresh rotation failed \(Secrets Manager RotateSecret failed/,
      true,
    ],
  ] as const)(
    "when the fresh start fails: %s, the next re-attempt heals",
    async (_, fault, thrown, startedAnyway) => {
      const fx = await setUp(kind);
      expect((await rotate(fx)).error).toBeUndefined();
      const clock = FakeTimers.install({
        toFake: ["Date"],
        now: Date.now(),
        shouldAdvanceTime: true,
      });
      try {
        clock.setSystemTime(clock.now + 6 * HOUR);
        const before = await current(fx.tokenArn);
        const created = await rotate(fx, ["createSecret"]);
        expect(created.error).toBeUndefined();
        clock.setSystemTime(clock.now + 6 * HOUR);
        proxy.arm(fault);
        await expect(step(fx, "createSecret", created.versionId)).rejects.toThrow(thrown);
        proxy.arm(undefined);
        const fresh = `togai-heal-${created.versionId}`;
        expect(await unfinished(fx.tokenArn)).toEqual(startedAnyway ? [fresh] : []);
        expect(await current(fx.tokenArn)).toMatchObject({ versionId: before.versionId });

        clock.setSystemTime(clock.now + 5 * 60_000);
        await expect(step(fx, "createSecret", created.versionId)).rejects.toThrow(
          startedAnyway
            ? `superseded by the rotation of version ${fresh}`
            : `it was given up earlier and its fresh rotation had not started; a fresh rotation was started as version ${fresh}`,
        );
        expect(await unfinished(fx.tokenArn)).toEqual([fresh]);
        // Once started, further re-attempts of the given-up version start nothing more.
        await expect(step(fx, "createSecret", created.versionId)).rejects.toThrow(
          `superseded by the rotation of version ${fresh}`,
        );
        expect(await rotate(fx)).toEqual({ versionId: fresh });
        expect((await current(fx.tokenArn)).versionId).toBe(fresh);
        await expect(step(fx, "createSecret", created.versionId)).rejects.toThrow(
          `it was given up and replaced by version ${fresh}`,
        );
        expect(await unfinished(fx.tokenArn)).toEqual([]);
      } finally {
        clock.uninstall();
      }
    },
  );
});

describe("a rotation superseded while it mints never takes AWSPENDING back", () => {
  /**
   * A client for the function that starts a newer rotation (as `cdktf-togai rotate` or the
   * key-change trigger would) just before the function's `nth` call of `command`.
   */
  function supersedingClient(
    command: string,
    nth: number,
    tokenArn: () => string,
    beforeStart?: () => Promise<void>,
    putMovesLabel = false,
  ) {
    const client = new SecretsManagerClient({ endpoint: proxy.endpoint });
    let seen = 0;
    let armed = false;
    const started: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (armed && context.commandName === command && ++seen === nth) {
          await beforeStart?.();
          const newer = (await startRotationNow(secrets, tokenArn())).versionId as string;
          started.push(newer);
          if (putMovesLabel) {
            // The PutSecretValue reference: a label named in VersionStages is removed from the
            // version that holds it and attached to this one. moto refuses data for a version
            // without AWSPENDING instead; this plays the documented move ahead of the put.
            const { ClientRequestToken } = args.input as { ClientRequestToken: string };
            await secrets.send(
              new UpdateSecretVersionStageCommand({
                SecretId: tokenArn(),
                VersionStage: "AWSPENDING",
                MoveToVersionId: ClientRequestToken,
                RemoveFromVersionId: newer,
              }),
            );
          }
        }
        return next(args);
      },
      { step: "initialize" },
    );
    return { client, started, arm: () => (armed = true) };
  }

  // Invariant: the newer rotation keeps AWSPENDING and ends with a fresh AWSCURRENT; the older
  // one fails without storing over it or touching AWSCURRENT.
  test.each([
    [
      "during the mint (before the check that precedes the put)",
      "DescribeSecretCommand",
      2,
      "nothing was stored",
    ],
    [
      "between that check and the put, which Secrets Manager refuses",
      "PutSecretValueCommand",
      1,
      "nothing was stored",
    ],
  ])("superseded %s", async (_, command, nth, outcome) => {
    let arn = "";
    const { client, started, arm } = supersedingClient(command, nth, () => arn);
    const fx = await setUp("source", client);
    arn = fx.tokenArn;
    expect((await rotate(fx)).error).toBeUndefined();
    const before = await current(fx.tokenArn);
    arm();
    const older = await rotate(fx, ["createSecret"]);
    expect(started).toHaveLength(1);
    const [newer] = started;

    expect(older.error?.message).toBe(
      `Version ${older.versionId} of secret ${fx.tokenArn} is not staged AWSPENDING: superseded by the rotation of version ${newer}; ${outcome}, AWSCURRENT is unchanged`,
    );
    expect(await unfinished(fx.tokenArn)).toEqual([newer]);
    expect(await current(fx.tokenArn)).toMatchObject({ versionId: before.versionId });
    expect(await rotate(fx)).toEqual({ versionId: newer });
    expect((await current(fx.tokenArn)).versionId).toBe(newer);
    expect(await unfinished(fx.tokenArn)).toEqual([]);
  });

  // The race no check can see on AWS: the key is replaced and the key-change rotation starts
  // between the check and the put, and the put moves AWSPENDING back from the newer, still
  // valueless version (which AWS then lists nowhere). Invariant: a token minted from the
  // replaced key never becomes AWSCURRENT; a token from the new key does, in the same window.
  test("by a key change between that check and a put that moves the label: the old key's token is never promoted", async () => {
    let arn = "";
    let keyArn = "";
    const newKey = "togai-secret-key-9b8a7c6d5e4f3a2b1c0d";
    togai.secretKeys.add(newKey);
    const putNewKey = async () => {
      await secrets.send(new PutSecretValueCommand({ SecretId: keyArn, SecretString: newKey }));
    };
    const { client, started, arm } = supersedingClient(
      "PutSecretValueCommand",
      1,
      () => arn,
      putNewKey,
      true,
    );
    const fx = await setUp("source", client);
    arn = fx.tokenArn;
    keyArn = fx.apiKeyArn;
    expect((await rotate(fx)).error).toBeUndefined();
    const before = await current(fx.tokenArn);
    arm();

    const older = await rotate(fx);

    expect(started).toHaveLength(1);
    expect(older.failedStep).toBe("finishSecret");
    const fresh = `togai-heal-${older.versionId}`;
    expect(older.error?.message).toContain("its token was minted from version");
    expect(older.error?.message).toContain(`a fresh rotation was started as version ${fresh}`);
    expect(await current(fx.tokenArn)).toMatchObject({ versionId: before.versionId });
    expect(await rotate(fx)).toEqual({ versionId: fresh });
    const key = await secrets.send(
      new GetSecretValueCommand({ SecretId: keyArn, VersionStage: "AWSCURRENT" }),
    );
    const now = await secrets.send(
      new GetSecretValueCommand({ SecretId: arn, VersionStage: "AWSCURRENT" }),
    );
    expect(now.VersionId).toBe(fresh);
    expect(JSON.parse(now.SecretString as string).keyVersionId).toBe(key.VersionId);
    expect(await unfinished(fx.tokenArn)).toEqual([]);
  });
});

/** A token in Togai's format (ES256 header, GZIP payload) that Togai never issued. */
function forgedTogaiToken(issuedAtSeconds: number, lifetimeSeconds: number): string {
  const part = (json: unknown, gzip = false) => {
    const raw = Buffer.from(JSON.stringify(json));
    return (gzip ? gzipSync(raw) : raw).toString("base64url");
  };
  const head = part({ kid: "b2f1c7e0-5d2a-4c3e-9f10-forged000001", alg: "ES256", zip: "GZIP" });
  const claims = { iss: "https://iam.hypto.com", iat: issuedAtSeconds, ver: "1.0" };
  const body = part({ ...claims, exp: issuedAtSeconds + lifetimeSeconds }, true);
  return `${head}.${body}.${Buffer.alloc(64, 7).toString("base64url")}`;
}
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("tokens Togai does not accept", () => {
  const kind = "bundle" as const;
  // Invariant: a pending token Togai refuses never pins a version and costs one rejected
  // credential: testSecret gives it up at once and a fresh token is AWSCURRENT within the window;
  // the given-up version's re-attempts call Togai no more.
  test("a pending token Togai refuses is given up at once, and the window still ends fresh", async () => {
    const fx = await setUp(kind);
    expect((await rotate(fx)).error).toBeUndefined();
    const before = await current(fx.tokenArn);
    const forged = forgedTogaiToken(nowSeconds(), 86_400);
    togai.inject({
      path: "/authenticate",
      kind: "status",
      status: 200,
      body: JSON.stringify({ token: forged }),
    });
    const rejectedBefore = togai.calls.rejected;

    const failed = await rotate(fx);

    const fresh = `togai-heal-${failed.versionId}`;
    expect(failed.failedStep).toBe("testSecret");
    expect(failed.error?.message).toContain("Togai rejected the pending token (HTTP 401)");
    expect(failed.error?.message).toContain(`a fresh rotation was started as version ${fresh}`);
    expect(await unfinished(fx.tokenArn)).toEqual([fresh]);
    const calls = togai.calls.authenticate;
    for (const name of ["createSecret", "testSecret"]) {
      await expect(step(fx, name, failed.versionId)).rejects.toThrow(
        `superseded by the rotation of version ${fresh}`,
      );
    }
    expect(togai.calls.authenticate).toBe(calls);
    expect(await current(fx.tokenArn)).toMatchObject({ versionId: before.versionId });
    expect(await rotate(fx)).toEqual({ versionId: fresh });
    expect((await current(fx.tokenArn)).hoursLeft).toBeGreaterThan(23.9);
    expect(await unfinished(fx.tokenArn)).toEqual([]);
    expect(togai.calls.rejected - rejectedBefore).toBe(1);
  });

  // Invariant: checking a pending token never prolongs a throttle: one request per attempt, and
  // a throttled check gives nothing up.
  test("a 429 while checking a pending token is not retried, and the version stays for the next re-attempt", async () => {
    const fx = await setUp(kind);
    expect((await rotate(fx)).error).toBeUndefined();
    const created = await rotate(fx, ["createSecret", "setSecret"]);
    expect(created.error).toBeUndefined();
    togai.inject({ path: "/authenticate", kind: "status", status: 429, times: 100 });
    const before = togai.calls.authenticate;

    const throttled = await rotate(fx, ["testSecret"]);

    expect(throttled).toMatchObject({ versionId: created.versionId, failedStep: "testSecret" });
    expect(throttled.error?.message).toContain("Togai throttled the check of the pending token");
    expect(togai.calls.authenticate - before).toBe(1);
    expect(await unfinished(fx.tokenArn)).toEqual([created.versionId]);
    togai.clearFaults();
    expect(await rotate(fx)).toEqual({ versionId: created.versionId });
  });

  // Invariant: a minted token whose claims cannot be Togai's is never stored.
  test.each([
    [
      "claims to live ten years",
      () => forgedTogaiToken(nowSeconds(), 3650 * 86_400),
      "claims to live 87600.0 h",
    ],
    [
      "claims to be issued tomorrow",
      () => forgedTogaiToken(nowSeconds() + 86_400, 86_400),
      "claims to be issued in the future",
    ],
  ])("a minted token that %s is refused in createSecret, nothing stored", async (_, token, why) => {
    const fx = await setUp(kind);
    expect((await rotate(fx)).error).toBeUndefined();
    const before = await current(fx.tokenArn);
    togai.inject({
      path: "/authenticate",
      kind: "status",
      status: 200,
      body: JSON.stringify({ token: token() }),
    });

    const refused = await rotate(fx);

    expect(refused.failedStep).toBe("createSecret");
    expect(refused.error?.message).toContain(`cannot be Togai's (it ${why}`);
    expect(refused.error?.message).toContain("nothing was stored");
    expect(await current(fx.tokenArn)).toMatchObject({ versionId: before.versionId });
    // Secrets Manager's re-attempt of the same version mints a real token.
    expect(await rotate(fx)).toEqual({ versionId: refused.versionId });
  });
});
