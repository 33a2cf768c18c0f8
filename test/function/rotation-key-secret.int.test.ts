/**
 * The deployed rotation bundle against moto_server and the Togai stand-in, fed a broken API-key
 * secret or a hostile Togai answer. Invariants: bad input is refused before any request to Togai
 * with an error that names the key secret and the fix; AWSCURRENT is never touched; neither the
 * key nor a token ever appears in an error or a log line, even when the answer echoes it.
 */
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { driveRotation } from "../support/rotation-driver";
import { createRotationFixture, type RotationFixture } from "../support/rotation-fixture";
import { useRotationServers } from "../support/rotation-servers";
import type { TogaiStandIn } from "../support/togai-standin";

const KEY = "togai-keysecret-key-5e1a9c3b7d2f4a6e";

const servers = useRotationServers({ secretKeys: [KEY] });
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;
const { output } = servers;
beforeAll(() => {
  ({ togai, secrets } = servers);
});

const rotate = async (fx: RotationFixture) => {
  const run = await driveRotation({ ...fx, secrets, secretArn: fx.tokenArn });
  if (run.error) output.add(run.error.message);
  return run;
};
const currentVersion = async (arn: string) =>
  (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).VersionId;
const pendingOnly = async (arn: string) =>
  Object.values(
    (await secrets.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {},
  ).filter((s) => s.includes("AWSPENDING") && !s.includes("AWSCURRENT")).length;

test.each([
  ["a JSON string in quotes", `"${KEY}"`, "it is a JSON string in quotes, not the bare key"],
  ["a JSON array", `["${KEY}"]`, "it is a JSON array, not the bare key"],
])(
  "a key stored as %s: refused before any request to Togai, names the key secret and the fix",
  async (_, value, problem) => {
    const fx = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl, apiKey: value });
    const calls = togai.calls.authenticate;

    const run = await rotate(fx);

    expect(run.failedStep).toBe("createSecret");
    expect(run.error?.name).toBe("InvalidCredentialError");
    expect(run.error?.message).toContain(`The API-key secret ${fx.apiKeyArn}`);
    expect(run.error?.message).toContain(problem);
    expect(run.error?.message).toContain("cdktf-togai put-api-key");
    expect(togai.calls.authenticate).toBe(calls);
  },
);

test("a key secret holding a binary value: named as such, not as 'no key yet'", async () => {
  const fx = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl });
  await secrets.send(
    new PutSecretValueCommand({ SecretId: fx.apiKeyArn, SecretBinary: Buffer.from(KEY) }),
  );
  const calls = togai.calls.authenticate;

  const run = await rotate(fx);

  expect(run.error?.name).toBe("InvalidCredentialError");
  expect(run.error?.message).toContain(
    `The API-key secret ${fx.apiKeyArn} holds a binary value (SecretBinary), not the key as a string`,
  );
  expect(run.error?.message).toContain("cdktf-togai put-api-key");
  expect(togai.calls.authenticate).toBe(calls);
});

test("a key secret scheduled for deletion: says so and how to restore it", async () => {
  const fx = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl, apiKey: KEY });
  await secrets.send(new DeleteSecretCommand({ SecretId: fx.apiKeyArn, RecoveryWindowInDays: 7 }));

  const run = await rotate(fx);

  expect(run.error?.name).toBe("RotationError");
  expect(run.error?.message).toBe(
    `The API-key secret ${fx.apiKeyArn} is scheduled for deletion: restore it with \`aws secretsmanager restore-secret --secret-id ${fx.apiKeyArn}\`; no token can be minted until then`,
  );
});

test("a key secret that no longer exists: says it may be deleted, not only 'holds no key yet'", async () => {
  const fx = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl, apiKey: KEY });
  await secrets.send(
    new DeleteSecretCommand({ SecretId: fx.apiKeyArn, ForceDeleteWithoutRecovery: true }),
  );

  const run = await rotate(fx);

  expect(run.error?.name).toBe("RotationError");
  expect(run.error?.message).toContain(
    `The API-key secret ${fx.apiKeyArn} holds no Togai secret key yet, or no longer exists (if it was deleted, create it again`,
  );
});

test("an answer that echoes the key or the pending token: redacted in errors and logs; AWSCURRENT kept, then a clean rotation", async () => {
  const fx = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl, apiKey: KEY });
  expect((await rotate(fx)).error).toBeUndefined();
  const before = await currentVersion(fx.tokenArn);

  // A proxy that echoes the key, raw and hidden behind JSON escapes, on every mint attempt.
  const escaped = KEY.replace(/a/g, "\\u0061");
  togai.inject({
    path: "/authenticate",
    kind: "status",
    status: 503,
    body: `{"message":"upstream refused ${KEY} / ${escaped}"}`,
    times: 1000,
  });
  const failed = await rotate(fx);
  togai.clearFaults();

  expect(failed.error?.message).toContain("upstream refused [credential] / [credential]");
  expect(failed.error?.message).not.toContain(KEY);
  expect(output.captured).not.toContain(KEY);
  expect(await currentVersion(fx.tokenArn)).toBe(before);

  // The re-attempt mints; a retried testSecret answer that echoes the pending token is redacted.
  const minted = await driveRotation({
    ...fx,
    secrets,
    secretArn: fx.tokenArn,
    steps: ["createSecret", "setSecret"],
  });
  expect(minted.error).toBeUndefined();
  const pending = await secrets.send(
    new GetSecretValueCommand({ SecretId: fx.tokenArn, VersionStage: "AWSPENDING" }),
  );
  const pendingToken = JSON.parse(pending.SecretString as string).token as string;
  togai.inject({
    path: "/authenticate",
    kind: "status",
    status: 503,
    body: JSON.stringify({ message: `busy, retry with ${pendingToken}` }),
    times: 1,
  });
  const next = await rotate(fx);
  expect(next).toEqual({ versionId: minted.versionId });
  expect(output.captured).toContain("busy, retry with [credential]");
  expect(output.captured).not.toContain(pendingToken);
  expect(await currentVersion(fx.tokenArn)).toBe(next.versionId);
  expect(await pendingOnly(fx.tokenArn)).toBe(0);
});
