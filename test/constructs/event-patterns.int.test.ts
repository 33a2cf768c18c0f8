/**
 * The key-change and rotation-failure rules, as synthesized, against a real EventBridge pattern
 * matcher: moto's EventBridge delivers a PutEvents entry to a rule's SQS target only when the
 * rule's pattern matches it. Events are shaped as CloudTrail delivers them to EventBridge
 * ("AWS API Call via CloudTrail" for a caller's PutSecretValue/UpdateSecret, naming the secret by
 * ARN or by name; "AWS Service Event via CloudTrail" for Secrets Manager's own rotation events).
 * Invariant: a change to the key secret triggers a rotation however the caller named the secret,
 * and nothing else does.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { TerraformVariable } from "cdktf";
import { TogaiApiKeySecret, TogaiTokenRotation } from "../../lib";
import { RotationAlerts } from "../../lib/constructs/rotation-alerts";
import { type MotoServer, useMotoSecrets } from "../support/moto-server";
import { resourcesOf, synthStack, type TfJson } from "../support/synth";
import { terraform } from "../support/terraform";

jest.setTimeout(120_000);

const KEY_NAME = "billing/togai-key";
const KEY_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${KEY_NAME}-AbCdEf`;
const TOKEN_NAME = "billing/togai-token";
const TOKEN_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${TOKEN_NAME}-x1Y2z3`;

// The clients get moto's endpoint and credentials explicitly: this process's environment stays.
const servers = useMotoSecrets({ setAwsEnv: false });
let moto: MotoServer;
let events: EventBridgeClient;
let sqs: SQSClient;
let ruleCount = 0;

beforeAll(() => {
  ({ moto } = servers);
  const config = {
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
});

afterAll(() => {
  events?.destroy();
  sqs?.destroy();
});

/** A CloudTrail "AWS API Call via CloudTrail" event of a caller's Secrets Manager call. */
function apiCall(eventName: string, secretId: string) {
  return {
    DetailType: "AWS API Call via CloudTrail",
    Detail: {
      eventVersion: "1.08",
      eventSource: "secretsmanager.amazonaws.com",
      eventName,
      awsRegion: "us-east-1",
      eventType: "AwsApiCall",
      requestParameters: { secretId, clientRequestToken: "3b3a6b1e-0c1d-4c8e-9a8e-0d6f0c1e2a3b" },
      responseElements: null,
    },
  };
}

/** A CloudTrail "AWS Service Event via CloudTrail" event Secrets Manager emits itself. */
function serviceEvent(eventName: string, secretId: string) {
  return {
    DetailType: "AWS Service Event via CloudTrail",
    Detail: {
      eventVersion: "1.08",
      eventSource: "secretsmanager.amazonaws.com",
      eventName,
      awsRegion: "us-east-1",
      eventType: "AwsServiceEvent",
      requestParameters: null,
      responseElements: null,
      additionalEventData: { SecretId: secretId },
    },
  };
}

type Event = ReturnType<typeof apiCall> | ReturnType<typeof serviceEvent>;

/** Which of `candidates` moto's EventBridge delivers for a rule with `pattern`. */
async function delivered(pattern: string, candidates: Event[]): Promise<Event[]> {
  const name = `rule-${++ruleCount}`;
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern }));
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      Targets: [{ Id: "queue", Arn: attrs.Attributes?.QueueArn }],
    }),
  );
  const matched: Event[] = [];
  for (const event of candidates) {
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "aws.secretsmanager",
            DetailType: event.DetailType,
            Detail: JSON.stringify(event.Detail),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, WaitTimeSeconds: 0 }),
    );
    if ((got.Messages ?? []).length > 0) matched.push(event);
  }
  await events.send(new RemoveTargetsCommand({ Rule: name, Ids: ["queue"] }));
  await events.send(new DeleteRuleCommand({ Name: name }));
  return matched;
}

function ruleByDescription(json: TfJson, text: string): string {
  const rule = resourcesOf(json, "aws_cloudwatch_event_rule").find((r) =>
    r.description.includes(text),
  );
  if (!rule) throw new Error(`no event rule described "${text}" was synthesized`);
  return rule.event_pattern;
}

const keyChanges = (arn: string, name: string) => [
  apiCall("PutSecretValue", arn),
  apiCall("PutSecretValue", name),
  apiCall("PutSecretValue", arn.replace(/-[A-Za-z0-9]{6}$/, "")), // a partial ARN
  apiCall("UpdateSecret", arn),
  apiCall("UpdateSecret", name),
];
const notKeyChanges = (arn: string, name: string) => [
  apiCall("GetSecretValue", arn), // a read is no change
  apiCall("PutSecretValue", `${name}-other`), // another secret whose name starts alike
  apiCall("PutSecretValue", `${name}-AbCdEf`), // the suffix is not part of the name
  serviceEvent("RotationSucceeded", arn),
];

test("key-change rule of an adopted secret (literal ARN): by ARN, name or partial ARN, nothing else", async () => {
  const json = synthStack((stack) => {
    const apiKey = new TogaiApiKeySecret(stack, "Key", { existingSecretArn: KEY_ARN });
    expect(apiKey.secretName).toBe(KEY_NAME);
    new TogaiTokenRotation(stack, "Tokens", { apiKey, rotateOnKeyChange: true });
  });
  const pattern = ruleByDescription(json, "API key changed");
  const changes = keyChanges(KEY_ARN, KEY_NAME);
  expect(await delivered(pattern, [...changes, ...notKeyChanges(KEY_ARN, KEY_NAME)])).toEqual(
    changes,
  );
});

test("key-change rule when the ARN is a Terraform variable: Terraform drops the suffix at apply", async () => {
  const json = synthStack((stack) => {
    const arn = new TerraformVariable(stack, "key_arn", { type: "string" }).stringValue;
    new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: arn, rotateOnKeyChange: true });
  });
  // Terraform itself evaluates the synthesized expressions: the variable, the locals and the
  // rule's pattern, in a configuration of outputs only (no provider, no AWS).
  const dir = mkdtempSync(join(tmpdir(), "togai-pattern-"));
  try {
    writeFileSync(
      join(dir, "main.tf.json"),
      JSON.stringify({
        variable: json.variable,
        // Only the locals the pattern can use: others refer to resources (the function's ARN).
        locals: Object.fromEntries(
          Object.entries(json.locals as Record<string, string>).filter(
            ([, value]) => !/\baws_[a-z_]+\./.test(value),
          ),
        ),
        output: { pattern: { value: ruleByDescription(json, "API key changed") } },
      }),
    );
    await terraform(["init", "-input=false", "-no-color"], dir);
    await terraform(
      ["apply", "-auto-approve", "-input=false", "-no-color", `-var=key_arn=${KEY_ARN}`],
      dir,
    );
    const out = await terraform(["output", "-raw", "pattern"], dir);
    const pattern = out.stdout;
    expect(JSON.parse(pattern).detail.requestParameters.secretId).toEqual([
      KEY_ARN,
      KEY_NAME,
      KEY_ARN.replace(/-[A-Za-z0-9]{6}$/, ""),
    ]);
    const changes = keyChanges(KEY_ARN, KEY_NAME);
    expect(await delivered(pattern, [...changes, ...notKeyChanges(KEY_ARN, KEY_NAME)])).toEqual(
      changes,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rotation-failure rule: RotationFailed and RotationAbandoned of the token secret only", async () => {
  const json = synthStack((stack) => {
    new RotationAlerts(stack, "Alerts", {
      tokenSecretArn: TOKEN_ARN,
      tokenSecretName: TOKEN_NAME,
      functionName: "togai-token-rotation",
      tokenAgeAlarmHours: 12,
    });
  });
  const pattern = ruleByDescription(json, "failed or was abandoned");
  const failures = [
    serviceEvent("RotationFailed", TOKEN_ARN),
    serviceEvent("RotationAbandoned", TOKEN_ARN),
    serviceEvent("RotationFailed", TOKEN_NAME),
  ];
  const others = [
    serviceEvent("RotationSucceeded", TOKEN_ARN),
    serviceEvent("RotationFailed", KEY_ARN),
    apiCall("PutSecretValue", TOKEN_ARN),
  ];
  expect(await delivered(pattern, [...failures, ...others])).toEqual(failures);
});
