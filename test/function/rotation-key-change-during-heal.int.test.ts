/**
 * A key change that lands while the function's own fresh rotation mints. On AWS, PutSecretValue
 * with VersionStages AWSPENDING moves the label from the key-change rotation (still valueless,
 * so then listed nowhere) back to the fresh rotation; finishSecret then refuses the old key's
 * token. The new key must still take effect within the window: it is what a key change is for
 * (the old key usually leaked and is about to be deactivated). The function's source (a client
 * that plays the key change at the exact call) against moto_server and the Togai stand-in.
 */

import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { startRotationNow } from "../../lib/aws/start-rotation";
import { rotationConfigFromEnv, TogaiTokenRotator } from "../../lib/function/rotation-handler";
import { driveRotation } from "../support/rotation-driver";
import { createRotationFixture, type RotationFixture } from "../support/rotation-fixture";
import { useRotationServers } from "../support/rotation-servers";
import { unfinishedVersions } from "../support/secrets-manager-model";
import type { TogaiStandIn } from "../support/togai-standin";

const KEY = "togai-secret-key-8c2e6a0f4b9d1357ace2";
const NEW_KEY = "togai-secret-key-1f3e5d7c9b0a2468bdf3";

const servers = useRotationServers({ secretKeys: [KEY, NEW_KEY], faultProxy: true });
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;
beforeAll(() => {
  ({ togai, secrets } = servers);
});
afterEach(() => {
  togai.refuseTokens = false;
});

const unfinished = (arn: string) => unfinishedVersions(secrets, arn);

// Invariant (docs/rotation-faults.md rule 4, issue "What must hold" 3): a key change is never
// lost to the supersede race. Whatever rotation the race gives up for its replaced key, a token
// of the new key is AWSCURRENT by the end of the window, also when the rotation that lost the
// race was the function's own fresh rotation.
test("a key change racing the put of the function's own fresh rotation: the new key's token is AWSCURRENT within the window", async () => {
  let arn = "";
  let keyArn = "";
  let armed = false;
  let seen = 0;
  const keyChangeRotations: string[] = [];
  const client = new SecretsManagerClient({ endpoint: servers.proxy.endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (armed && context.commandName === "PutSecretValueCommand" && ++seen === 1) {
        // The operator puts a new key; the key-change trigger starts its rotation (clearing
        // AWSPENDING off the fresh rotation, which holds no value yet) ...
        await secrets.send(new PutSecretValueCommand({ SecretId: keyArn, SecretString: NEW_KEY }));
        const newer = (await startRotationNow(secrets, arn)).versionId as string;
        keyChangeRotations.push(newer);
        // ... and the fresh rotation's put, on AWS, moves AWSPENDING back from it (moto refuses
        // the put instead: this plays the documented move ahead of it).
        const { ClientRequestToken } = args.input as { ClientRequestToken: string };
        await secrets.send(
          new UpdateSecretVersionStageCommand({
            SecretId: arn,
            VersionStage: "AWSPENDING",
            MoveToVersionId: ClientRequestToken,
            RemoveFromVersionId: newer,
          }),
        );
      }
      return next(args);
    },
    { step: "initialize" },
  );
  const fx0 = await createRotationFixture({ secrets, togaiBaseUrl: togai.baseUrl, apiKey: KEY });
  const rotator = new TogaiTokenRotator(rotationConfigFromEnv(fx0.environment), {
    secrets: client,
  });
  const fx: RotationFixture = { ...fx0, handler: (e, c) => rotator.invoke(e, c) };
  arn = fx.tokenArn;
  keyArn = fx.apiKeyArn;
  const rotate = () => driveRotation({ ...fx, secrets, secretArn: arn, timeoutMs: 4_500 });
  expect((await rotate()).error).toBeUndefined();

  // The window's rotation: Togai refuses its token, the function gives it up and starts its own.
  togai.refuseTokens = true;
  const refused = await rotate();
  togai.refuseTokens = false;
  expect(refused.failedStep).toBe("testSecret");
  const [fresh] = await unfinished(arn);
  expect(fresh).toBe(`togai-heal-${refused.versionId}`);

  // Secrets Manager runs the function's fresh rotation; the key change lands at its put.
  armed = true;
  const run = await rotate();
  expect(keyChangeRotations).toHaveLength(1);
  expect(run.versionId).toBe(fresh);
  expect(run.failedStep).toBe("finishSecret");
  expect(run.error?.message).toContain("its token was minted from version");
  // Togai now deactivates the leaked old key (and with it its tokens); the operator has done
  // everything a key change asks.
  // Whatever is left pending in the window runs too (at most a few rotations).
  for (let i = 0; i < 3 && (await unfinished(arn)).length > 0; i++) await rotate();

  const key = await secrets.send(
    new GetSecretValueCommand({ SecretId: keyArn, VersionStage: "AWSCURRENT" }),
  );
  const now = await secrets.send(
    new GetSecretValueCommand({ SecretId: arn, VersionStage: "AWSCURRENT" }),
  );
  expect({
    message: run.error?.message,
    keyVersionId: JSON.parse(now.SecretString as string).keyVersionId,
  }).toEqual({ message: run.error?.message, keyVersionId: key.VersionId });
  expect(await unfinished(arn)).toEqual([]);
});
