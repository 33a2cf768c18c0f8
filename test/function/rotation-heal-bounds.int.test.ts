/**
 * The bounds of healing under faults the persistent-fault simulation does not play: a Togai
 * whose token claims lag the function's clock, a Secrets Manager that refuses the label move that
 * gives a version up, and the secret's first rotation with tokens Togai refuses. The deployed
 * bundle (and the source) against moto_server (the function's calls through the fault proxy) and
 * the Togai stand-in.
 */

import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { maxInWindow } from "../support/persistent-fault-simulation";
import { driveRotation, ROTATION_STEPS } from "../support/rotation-driver";
import type { SecretsManagerFaultProxy } from "../support/rotation-fault-proxy";
import type { RotationFixture } from "../support/rotation-fixture";
import { proxiedRotationFixture, useRotationServers } from "../support/rotation-servers";
import { unfinishedVersions } from "../support/secrets-manager-model";
import type { TogaiStandIn } from "../support/togai-standin";

const KEY = "togai-secret-key-5e1d9c3b7a2f4086bd1c";
const HOUR = 3_600_000;
const MINUTE = 60_000;

const servers = useRotationServers({ secretKeys: [KEY], faultProxy: true });
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;
let proxy: SecretsManagerFaultProxy;
beforeAll(() => {
  ({ togai, secrets, proxy } = servers);
});
afterEach(() => {
  togai.refuseTokens = false;
});

const unfinished = (arn: string) => unfinishedVersions(secrets, arn);
const currentVersionId = async (arn: string) =>
  (await secrets.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: "AWSCURRENT" })))
    .VersionId;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Most rejected credentials Togai saw in any 30 minutes, among those from index `from` on. */
const mostRejectedIn30Minutes = (from: number) =>
  maxInWindow(togai.rejectedAt.slice(from), 30 * MINUTE);

/** The function as deployed (or its source), its Secrets Manager calls through the fault proxy. */
const setUp = (kind: "bundle" | "source") => proxiedRotationFixture(servers, kind, { apiKey: KEY });
const rotate = (fx: RotationFixture, steps?: readonly string[]) =>
  driveRotation({ ...fx, secrets, secretArn: fx.tokenArn, timeoutMs: 4_500, steps });

describe("the deployed bundle", () => {
  const kind = "bundle" as const;
  // Invariant (issue "What must hold" 1): under a persistent fault the function starts at most
  // one fresh rotation of its own per scheduled window, whatever Togai's clock says. Togai's
  // `iat` is Togai's clock (or the issue time of a token Togai hands out again), not the
  // function's: a token that claims to be three hours old when it is minted must not let the
  // function's own fresh rotation start another one in the same window.
  test("tokens refused, and their iat three hours behind the function's clock: at most one fresh rotation of the function's own in the window", async () => {
    const fx = await setUp(kind);
    expect((await rotate(fx)).error).toBeUndefined();
    const before = await currentVersionId(fx.tokenArn);
    const since = togai.rejectedAt.length;
    togai.refuseTokens = true;
    const runs: Array<{ versionId: string; failedStep?: string }> = [];
    // The window's rotation, then whatever rotation the function started, each run by Secrets
    // Manager at once (M5), all within a few seconds of one window. Capped at 6 so that a chain
    // ends the test instead of running forever.
    for (let i = 0; i < 6; i++) {
      if (i > 0 && (await unfinished(fx.tokenArn)).length === 0) break;
      // Each mint: a genuine token of Togai's whose iat lags the function's clock by 3 h
      // (21 h of life left, above the 20 h minimum).
      togai.inject({
        path: "/authenticate",
        kind: "status",
        status: 200,
        body: JSON.stringify({ token: togai.mintToken(nowSeconds() - 3 * 3600) }),
        times: 1,
      });
      const run = await rotate(fx);
      togai.clearFaults();
      runs.push({ versionId: run.versionId, failedStep: run.failedStep });
    }
    const ownRotations = runs.filter((r) => r.versionId.startsWith("togai-heal-"));
    expect(runs.map((r) => r.failedStep)).not.toContain(undefined);
    expect(await currentVersionId(fx.tokenArn)).toBe(before);
    expect(ownRotations.length).toBeLessThanOrEqual(1);
    expect(togai.rejectedAt.length - since).toBeLessThanOrEqual(2);
  });

  // Invariant (issue "What must hold" 1): fewer than 5 rejected credentials to Togai in any 30
  // minutes under any persistent fault, whatever the re-attempt schedule. Here Togai refuses every
  // token and Secrets Manager answers 500 to UpdateSecretVersionStage (the call that gives the
  // version up): Secrets Manager re-attempts the version every 5 minutes (M3).
  test("tokens refused while UpdateSecretVersionStage fails: fewer than 5 rejected credentials in any 30 minutes", async () => {
    const fx = await setUp(kind);
    expect((await rotate(fx)).error).toBeUndefined();
    const before = await currentVersionId(fx.tokenArn);
    const clock = FakeTimers.install({
      toFake: ["Date"],
      now: Date.now(),
      shouldAdvanceTime: true,
    });
    try {
      clock.setSystemTime(clock.now + 6 * HOUR);
      const since = togai.rejectedAt.length;
      const created = await rotate(fx, ["createSecret", "setSecret"]);
      expect(created.error).toBeUndefined();
      togai.refuseTokens = true;
      proxy.arm({ kind: "internal-error", fromCall: 0, operation: "UpdateSecretVersionStage" });
      const failures: string[] = [];
      // The window's first attempt's testSecret, then a re-attempt every 5 minutes for 35 minutes.
      const first = await rotate(fx, ["testSecret", "finishSecret"]);
      failures.push(first.failedStep ?? "none");
      for (let i = 0; i < 7; i++) {
        clock.setSystemTime(clock.now + 5 * MINUTE);
        const run = await rotate(fx);
        expect(run.versionId).toBe(created.versionId);
        failures.push(run.failedStep ?? "none");
      }
      proxy.arm(undefined);
      expect(failures.every((f) => f !== "none")).toBe(true);
      expect(await currentVersionId(fx.tokenArn)).toBe(before);
      expect(mostRejectedIn30Minutes(since)).toBeLessThan(5);
    } finally {
      clock.uninstall();
    }
  }, 120_000);

  // Invariant (issue "What must hold" 1 and 2): a token Togai refuses never becomes AWSCURRENT
  // by a rotation that reports success. The secret's first value becomes AWSCURRENT by itself
  // (PutSecretValue, M8), so testSecret never sees it: the first rotation must prove the token
  // before the put, or the rotation "succeeds" with a token every consumer is refused with
  // (each refusal a rejected credential from the consumers' IP) and no alert fires.
  test("the secret's first rotation while Togai refuses every token: no refused token becomes AWSCURRENT as a success", async () => {
    const fx = await setUp(kind);
    togai.refuseTokens = true;
    const since = togai.rejectedAt.length;
    const first = await rotate(fx, ROTATION_STEPS);
    const current = await secrets
      .send(new GetSecretValueCommand({ SecretId: fx.tokenArn, VersionStage: "AWSCURRENT" }))
      .then(
        (out) => out.VersionId,
        () => undefined,
      );
    // Either the rotation fails (the alert fires) and nothing refused is current, or it did not
    // promote a token at all.
    expect({ failed: first.failedStep !== undefined, current }).toEqual({
      failed: true,
      current: undefined,
    });
    expect(togai.rejectedAt.length - since).toBeLessThanOrEqual(2);
  });
});

describe("messages under a refused key", () => {
  const kind = "bundle" as const;
  // Invariant (issue "What must hold" 2): error messages say only what will really happen. While
  // Togai refuses the key, no rotation can mint: a message that promises a fresh rotation "mints a
  // new token now", or that the next scheduled rotation "mints a fresh token", is false, and the
  // fresh rotation started from the same refused key only sends Togai one more rejected key.
  test("the key revoked: no message promises a token that cannot be minted, and the window sends Togai one rejected key", async () => {
    const fx = await setUp(kind);
    expect((await rotate(fx)).error).toBeUndefined();
    const before = await currentVersionId(fx.tokenArn);
    const since = togai.rejectedAt.length;
    togai.secretKeys.delete(KEY);
    const messages: string[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        if (i > 0 && (await unfinished(fx.tokenArn)).length === 0) break;
        const run = await rotate(fx);
        expect(run.failedStep).toBe("createSecret");
        messages.push(run.error?.message ?? "");
      }
    } finally {
      togai.secretKeys.add(KEY);
    }
    expect(await currentVersionId(fx.tokenArn)).toBe(before);
    expect(messages[0]).toContain("Togai rejected the secret key");
    expect(messages.filter((m) => /mints a (new|fresh) token/.test(m))).toEqual([]);
    expect(togai.rejectedAt.length - since).toBe(1);
  });
});

describe("messages on the first rotation", () => {
  const kind = "bundle" as const;
  // Invariant (issue "What must hold" 2): error messages say only what will really happen. On
  // the secret's first rotation there is no AWSCURRENT: "AWSCURRENT keeps the previous token" is
  // false, and so is "a fresh rotation ... mints a new token now" while Togai refuses the key.
  test("the key refused on the first rotation: no message speaks of a previous token or promises a mint", async () => {
    const fx = await setUp(kind);
    togai.secretKeys.delete(KEY);
    const messages: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        if (i > 0 && (await unfinished(fx.tokenArn)).length === 0) break;
        messages.push((await rotate(fx)).error?.message ?? "no error");
      }
    } finally {
      togai.secretKeys.add(KEY);
    }
    expect(messages[0]).toContain("Togai rejected the secret key");
    expect(messages.filter((m) => /previous token|mints a (new|fresh) token/.test(m))).toEqual([]);
  });
});

describe("clock skew between Togai and AWS", () => {
  const kind = "bundle" as const;
  // Invariant (issue "What must hold" 2): a healthy Togai always lets a rotation succeed. Togai's
  // clock 20 minutes ahead of the function's makes every genuine token claim an iat 20 minutes
  // ahead; its life (exp) is still a full 24 h from now, and Togai accepts it. Refusing it as
  // "issued in the future" fails every attempt of every window while Togai is healthy, until
  // AWSCURRENT expires.
  test("Togai's clock 20 minutes ahead: its genuine token is stored and the rotation succeeds", async () => {
    const fx = await setUp(kind);
    expect((await rotate(fx)).error).toBeUndefined();
    togai.inject({
      path: "/authenticate",
      kind: "status",
      status: 200,
      body: JSON.stringify({ token: togai.mintToken(nowSeconds() + 20 * 60) }),
      times: 1,
    });
    const run = await rotate(fx);
    expect(run.error?.message).toBeUndefined();
    expect(await currentVersionId(fx.tokenArn)).toBe(run.versionId);
  });
});
