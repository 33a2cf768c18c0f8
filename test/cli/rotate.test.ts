/**
 * `cdktf-togai rotate` in-process against the in-memory Secrets Manager: it says which rotation
 * runs (a new one, or one another caller started at the same moment) and what it cleared first.
 * The same against moto_server: cli.int.test.ts.
 */
import {
  DescribeSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { EXIT } from "../../lib/cli/cli";
import {
  createSecret,
  ROTATION_FUNCTION_ARN,
  tokenSecretWithRotation,
} from "../support/aws-fixtures";
import { runCliInProcess } from "../support/cli-in-process";
import { InMemorySecretsManager } from "../support/secrets-manager-double";

let double: InMemorySecretsManager;
let secrets: SecretsManagerClient;

beforeEach(() => {
  double = new InMemorySecretsManager();
  secrets = double.client();
});

const rotate = (secretId: string) =>
  runCliInProcess(["rotate", "--secret-id", secretId], { secrets });

const startRotation = async (arn: string) =>
  (
    await secrets.send(
      new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: ROTATION_FUNCTION_ARN }),
    )
  ).VersionId as string;

const pendingVersion = async (arn: string) => {
  const stages = (await secrets.send(new DescribeSecretCommand({ SecretId: arn })))
    .VersionIdsToStages;
  return Object.entries(stages ?? {}).find(([, s]) => s.includes("AWSPENDING"))?.[0];
};

test("stages a rotation and says how to follow it, exit 0", async () => {
  const arn = await tokenSecretWithRotation(secrets, '{"token":"t"}');

  const { code, out, err } = await rotate(arn);

  expect(code).toBe(EXIT.ok);
  expect(err).toBe("");
  const version = await pendingVersion(arn);
  expect(out).toBe(
    `rotation of ${arn} started (version ${version}); the new token becomes AWSCURRENT when the function finishes: check with "cdktf-togai status --secret-id ${arn}"\n`,
  );
});

test("an unfinished rotation is cleared first, and said so", async () => {
  const arn = await tokenSecretWithRotation(secrets, '{"token":"t"}');
  const stale = await startRotation(arn);

  const { code, out } = await rotate(arn);

  expect(code).toBe(EXIT.ok);
  const lines = out.trimEnd().split("\n");
  expect(lines[0]).toBe(`cleared AWSPENDING left by an unfinished rotation (version ${stale})`);
  const version = await pendingVersion(arn);
  expect(version).not.toBe(stale);
  expect(lines[1]).toContain(`started (version ${version})`);
});

test("a rotation another caller starts at the same moment is the one that runs", async () => {
  const arn = await tokenSecretWithRotation(secrets, '{"token":"t"}');
  let concurrent = "";
  let once = false;
  secrets.middlewareStack.add(
    (next, context) => async (args) => {
      if (!once && context.commandName === "RotateSecretCommand") {
        once = true;
        concurrent = await startRotation(arn); // lands just before ours
      }
      return next(args);
    },
    { step: "initialize", name: "concurrent-rotation" },
  );

  const { code, out } = await rotate(arn);

  expect(code).toBe(EXIT.ok);
  expect(out).toContain(
    `a rotation started at the same moment (version ${concurrent}) is the one that runs\n`,
  );
  expect(out).toContain(`rotation of ${arn} started (version ${concurrent})`);
  expect(double.count("RotateSecret")).toBe(3); // setup, the other caller's, ours (refused)
});

test("a secret without a rotation function: exit 1 saying so", async () => {
  const arn = await createSecret(secrets, "plain", "x");
  const { code, out, err } = await rotate(arn);
  expect(code).toBe(EXIT.failure);
  expect(out).toBe("");
  expect(err).toBe(
    `cdktf-togai rotate: ${arn} has no rotation function: deploy it with TogaiTokenRotation (is this the token secret?)\n`,
  );
});

test("Secrets Manager refusing: exit 1 naming the operation and AWS's error", async () => {
  const arn = await tokenSecretWithRotation(secrets, '{"token":"t"}');
  double.fault = (operation) =>
    operation === "RotateSecret"
      ? { status: 400, type: "AccessDeniedException", message: "not allowed to rotate" }
      : undefined;
  const { code, err } = await rotate(arn);
  expect(code).toBe(EXIT.failure);
  expect(err).toBe(
    "cdktf-togai rotate: Secrets Manager RotateSecret failed: AccessDeniedException (HTTP 400): not allowed to rotate\n",
  );
});
