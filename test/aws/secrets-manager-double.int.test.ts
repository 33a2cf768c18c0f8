/**
 * The unit lane's in-memory Secrets Manager (test/support/secrets-manager-double.ts) answers as
 * moto_server with this project's corrections does: the same random sequences of the calls the
 * library makes (PutSecretValue, GetSecretValue, DescribeSecret, UpdateSecretVersionStage,
 * RotateSecret; CancelRotateSecret and DeleteSecret, which the unit tests use), string and binary
 * values, go to both, and every answer, error name and message included, must match.
 * Invariant: no unit test can pass on a behaviour the authority (moto, corrected to AWS's docs)
 * does not have.
 */
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import fc from "fast-check";
import { useMotoSecrets } from "../support/moto-server";
import { registerRotationFunction } from "../support/rotation-fixture";
import { InMemorySecretsManager } from "../support/secrets-manager-double";

const used = useMotoSecrets();
let functionArn = "";

beforeAll(async () => {
  functionArn = await registerRotationFunction("double-check");
});

/** Version ids the sequences choose from (ClientRequestToken needs 32 to 64 characters). */
const IDS = [1, 2, 3].map((n) => `version-${n}`.padEnd(32, String(n)));
const STAGES = ["AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"];

type Call =
  | { op: "put"; id?: number; value: string; pending: boolean }
  | { op: "get"; id?: number; stage?: number }
  | { op: "describe" }
  | { op: "move"; stage: number; from?: number; to?: number }
  | { op: "rotate"; id?: number; immediately: boolean }
  | { op: "cancel" }
  | { op: "delete"; force: boolean };

const index = (n: number) => fc.option(fc.nat(n - 1), { nil: undefined });
const call: fc.Arbitrary<Call> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("put" as const),
      id: index(IDS.length),
      value: fc.constantFrom("a", "b", "binary"),
      pending: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("get" as const),
      id: index(IDS.length),
      stage: index(3),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("describe" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("cancel" as const) }) },
  // The library's two shapes of UpdateSecretVersionStage: AWSCURRENT moved to a version (from
  // the one holding it, or from none), and AWSPENDING taken off a version.
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("move" as const),
      stage: fc.constant(0),
      from: index(IDS.length),
      to: fc.nat(IDS.length - 1),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("move" as const),
      stage: fc.constant(1),
      from: fc.nat(IDS.length - 1),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("rotate" as const),
      id: index(IDS.length),
      immediately: fc.boolean(),
    }),
  },
  // Rare, as a deletion ends what a sequence can show: with recovery (marked deleted), or at once.
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), force: fc.boolean() }) },
);

/** The command a call sends; undefined indexes leave the field out. */
function commandFor(call: Call, secretId: string) {
  const id = (n?: number) => (n === undefined ? undefined : IDS[n]);
  switch (call.op) {
    case "put":
      return new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: id(call.id),
        // "binary" stands for a SecretBinary value (a key someone put as a file).
        SecretString: call.value === "binary" ? undefined : call.value,
        SecretBinary: call.value === "binary" ? Buffer.from("binary") : undefined,
        VersionStages: call.pending ? ["AWSPENDING"] : undefined,
      });
    case "get":
      return new GetSecretValueCommand({
        SecretId: secretId,
        VersionId: id(call.id),
        VersionStage: call.stage === undefined ? undefined : STAGES[call.stage],
      });
    case "describe":
      return new DescribeSecretCommand({ SecretId: secretId });
    case "cancel":
      return new CancelRotateSecretCommand({ SecretId: secretId });
    case "move":
      return new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: STAGES[call.stage],
        RemoveFromVersionId: id(call.from),
        MoveToVersionId: id(call.to),
      });
    case "rotate":
      return new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: id(call.id),
        RotationLambdaARN: functionArn,
        RotateImmediately: call.immediately,
      });
    case "delete":
      return new DeleteSecretCommand({
        SecretId: secretId,
        ForceDeleteWithoutRecovery: call.force,
      });
  }
}

/**
 * What a caller can observe of each answer, with generated version ids and the secret's ARN
 * named by their order of appearance (the two services draw different random ids).
 */
async function observe(
  client: SecretsManagerClient,
  initial: string | undefined,
  calls: Call[],
): Promise<unknown[]> {
  const created = await client.send(
    new CreateSecretCommand({
      Name: `double-${String(Math.random()).slice(2)}`,
      SecretString: initial,
    }),
  );
  const names = new Map<string, string>([[created.ARN as string, "<arn>"]]);
  const name = (text: string) =>
    text.replace(/arn:aws:secretsmanager:[^\s,."]+|[0-9a-f]{8}-[0-9a-f-]{27}/g, (found) => {
      if (!names.has(found)) names.set(found, `<id${names.size}>`);
      return names.get(found) as string;
    });
  if (created.VersionId) name(created.VersionId);
  const seen: unknown[] = [];
  for (const c of calls) {
    try {
      // biome-ignore lint/suspicious/noExplicitAny: each command's output has its own shape.
      const out: any = await client.send(commandFor(c, created.ARN as string) as never);
      seen.push(
        name(
          JSON.stringify({
            // CancelRotateSecret and RotateImmediately=false start no version; moto names its
            // internal default one there, which no caller uses.
            VersionId:
              c.op === "cancel" || (c.op === "rotate" && !c.immediately)
                ? undefined
                : out.VersionId,
            VersionStages: out.VersionStages && [...out.VersionStages].sort(),
            SecretString: out.SecretString,
            SecretBinary: out.SecretBinary && Buffer.from(out.SecretBinary).toString(),
            VersionCreated: c.op === "get" ? out.CreatedDate instanceof Date : undefined,
            RotationEnabled: out.RotationEnabled === true,
            RotationLambdaARN: out.RotationLambdaARN,
            // DescribeSecret's other fields the library reads (status, the rotation function).
            RotationRules: out.RotationRules,
            LastRotated: c.op === "describe" ? out.LastRotatedDate instanceof Date : undefined,
            Deleted: c.op === "describe" ? out.DeletedDate instanceof Date : undefined,
            VersionIdsToStages:
              // moto leaves the field out when no version has a label; the double sends {}.
              Object.entries((out.VersionIdsToStages ?? {}) as Record<string, string[]>)
                .map(([id, stages]) => `${name(id)}=${[...stages].sort()}`)
                .sort(),
          }),
        ),
      );
    } catch (error) {
      const { name: type, message } = error as Error;
      // moto words some messages as botocore does ("An error occurred (X) when calling the Y
      // operation: ...", with the source's indentation inside): the words are what must match.
      const words = message
        .replace(/^An error occurred \(\w+\) when calling the \w+ operation: /, "")
        .replace(/\s+/g, " ");
      seen.push(`${type}: ${name(words)}`);
    }
  }
  return seen;
}

test("answers every sequence of the library's calls as the corrected moto_server does", async () => {
  const double = new InMemorySecretsManager();
  const inMemory = double.client();
  await fc.assert(
    fc.asyncProperty(
      fc.option(fc.constant("initial"), { nil: undefined }),
      fc.array(call, { minLength: 1, maxLength: 10 }),
      async (initial, calls) => {
        const onMoto = await observe(used.secrets, initial, calls);
        const inDouble = await observe(inMemory, initial, calls);
        expect(inDouble).toEqual(onMoto);
      },
    ),
    {
      numRuns: Number(process.env.DOUBLE_CHECK_RUNS ?? 150),
      seed: Number(process.env.DOUBLE_CHECK_SEED ?? 20261203),
    },
  );
  expect(double.count("CreateSecret")).toBeGreaterThanOrEqual(150);
});
