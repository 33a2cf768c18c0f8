import { TogaiTokenRotation, type TogaiTokenRotationProps } from "../../lib";
import { onlyResource, resourcesOf, synthStack } from "../support/synth";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:billing-alerts";

const synth = (props: Partial<TogaiTokenRotationProps>) =>
  synthStack((stack) => {
    new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN, ...props });
  });

describe("alerting", () => {
  test("createAlarmTopic: a topic, a rule on RotationFailed/RotationAbandoned, two alarms, a scoped topic policy", () => {
    const json = synth({ createAlarmTopic: true });
    expect(onlyResource(json, "aws_sns_topic").name_prefix).toBe("togai-token-alerts-");
    const rule = onlyResource(json, "aws_cloudwatch_event_rule");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.secretsmanager"],
      "detail-type": ["AWS Service Event via CloudTrail"],
      detail: {
        eventSource: ["secretsmanager.amazonaws.com"],
        eventName: ["RotationFailed", "RotationAbandoned"],
        additionalEventData: {
          SecretId: [
            expect.stringMatching(/aws_secretsmanager_secret\..+\.arn/),
            expect.stringMatching(/aws_secretsmanager_secret\..+\.name/),
          ],
        },
      },
    });
    expect(onlyResource(json, "aws_cloudwatch_event_target").arn).toMatch(/aws_sns_topic\..+\.arn/);
    const [errors, age] = resourcesOf(json, "aws_cloudwatch_metric_alarm").sort((a, b) =>
      a.alarm_name.localeCompare(b.alarm_name),
    );
    expect(errors).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      statistic: "Sum",
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
    });
    expect(age).toMatchObject({
      namespace: "CdktfTogai",
      metric_name: "TokenHoursLeft",
      statistic: "SampleCount",
      period: 3600,
      evaluation_periods: 12,
      datapoints_to_alarm: 12,
      comparison_operator: "LessThanThreshold",
      treat_missing_data: "breaching",
    });
    expect(age.dimensions.TokenSecretName).toMatch(/aws_secretsmanager_secret\..+\.name/);
    const policy = JSON.parse(onlyResource(json, "aws_sns_topic_policy").policy);
    expect(
      policy.Statement.map((s: { Principal: { Service: string } }) => s.Principal.Service),
    ).toEqual(["events.amazonaws.com", "cloudwatch.amazonaws.com"]);
    expect(JSON.stringify(policy)).not.toContain('"*"');
  });

  test("alarmTopicArn: an existing topic, no topic or topic policy created; a custom token-age threshold", () => {
    const json = synth({ alarmTopicArn: TOPIC, tokenAgeAlarmHours: 9 });
    expect(resourcesOf(json, "aws_sns_topic")).toEqual([]);
    expect(resourcesOf(json, "aws_sns_topic_policy")).toEqual([]);
    for (const alarm of resourcesOf(json, "aws_cloudwatch_metric_alarm"))
      expect(alarm.alarm_actions).toEqual([TOPIC]);
    const age = resourcesOf(json, "aws_cloudwatch_metric_alarm").find(
      (a) => a.metric_name === "TokenHoursLeft",
    );
    expect(age?.evaluation_periods).toBe(9);
  });

  test("the default token-age threshold is twice the interval, at most 20 h", () => {
    const age = (interval: number) =>
      resourcesOf(
        synth({ createAlarmTopic: true, rotationIntervalHours: interval }),
        "aws_cloudwatch_metric_alarm",
      ).find((a) => a.metric_name === "TokenHoursLeft")?.evaluation_periods;
    expect(age(4)).toBe(8);
    expect(age(11)).toBe(20);
  });
});

describe("rotate on key change", () => {
  test("a rule on PutSecretValue/UpdateSecret of the key secret invokes the function, which may start a rotation", () => {
    const json = synth({ rotateOnKeyChange: true });
    const rule = onlyResource(json, "aws_cloudwatch_event_rule");
    const pattern = JSON.parse(rule.event_pattern);
    expect(pattern["detail-type"]).toEqual(["AWS API Call via CloudTrail"]);
    expect(pattern.detail.eventName).toEqual(["PutSecretValue", "UpdateSecret"]);
    expect(pattern.detail.requestParameters.secretId[0]).toBe(KEY_ARN);
    expect(pattern.detail.requestParameters.secretId[1]).toBe("billing/togai-key");
    expect(onlyResource(json, "aws_cloudwatch_event_target").arn).toMatch(
      /aws_lambda_function\..+\.arn/,
    );
    const permissions = resourcesOf(json, "aws_lambda_permission").map((p) => [
      p.principal,
      p.source_arn,
    ]);
    expect(permissions).toEqual(
      expect.arrayContaining([
        ["events.amazonaws.com", expect.stringMatching(/aws_cloudwatch_event_rule\..+\.arn/)],
      ]),
    );
    // Starting a rotation is a grant the role always has (self-healing uses it too): the
    // key-change trigger adds no policy of its own.
    expect(resourcesOf(json, "aws_iam_role_policy").map((p) => p.name)).toEqual([
      "togai-token-rotation",
    ]);
  });
});

describe("replicas", () => {
  const EU_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  test("the token secret is replicated, and grants cover each replica and its key", () => {
    const json = synthStack((stack) => {
      const t = new TogaiTokenRotation(stack, "Tokens", {
        apiKeySecretArn: KEY_ARN,
        replicaRegions: [{ region: "eu-west-1", kmsKeyArn: EU_KEY }, { region: "ap-southeast-2" }],
      });
      t.grantReadToRoleName("consumer");
      expect(t.replicaTokenSecretArns).toHaveLength(2);
    });
    expect(onlyResource(json, "aws_secretsmanager_secret").replica).toEqual([
      { region: "eu-west-1", kms_key_id: EU_KEY },
      { region: "ap-southeast-2" },
    ]);
    const grant = resourcesOf(json, "aws_iam_role_policy").find((p) => p.role === "consumer");
    const statements = JSON.parse(grant?.policy).Statement;
    const replicas = statements.find((s: { Sid: string }) => s.Sid === "ReadTogaiTokenReplicas");
    expect(replicas.Resource).toHaveLength(2);
    expect(replicas.Resource).toEqual([
      expect.stringMatching(/^\$\{local\.Tokens_ReplicaArn0_/),
      expect.stringMatching(/^\$\{local\.Tokens_ReplicaArn1_/),
    ]);
    expect(Object.values(json.locals).join(" ")).toContain('"eu-west-1"');
    expect(statements.find((s: { Sid: string }) => s.Sid === "DecryptTogaiTokenReplica0")).toEqual({
      Sid: "DecryptTogaiTokenReplica0",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: EU_KEY,
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
    });
  });
});

describe("validation of the operations options", () => {
  test.each<[string, Partial<TogaiTokenRotationProps>, string]>([
    [
      "both topic options",
      { alarmTopicArn: TOPIC, createAlarmTopic: true },
      "give alarmTopicArn or createAlarmTopic, not both",
    ],
    [
      "a malformed topic ARN",
      { alarmTopicArn: "billing-alerts" },
      'alarmTopicArn is not a valid ARN: got "billing-alerts"',
    ],
    [
      "a threshold without alerting",
      { tokenAgeAlarmHours: 10 },
      "tokenAgeAlarmHours needs alerting",
    ],
    [
      "a threshold not above the interval",
      { createAlarmTopic: true, rotationIntervalHours: 8, tokenAgeAlarmHours: 8 },
      "tokenAgeAlarmHours must be a whole number from 9 to 23 hours (more than the 8 h rotation interval, less than a token's 24 h), got 8",
    ],
    ["a threshold of a day", { createAlarmTopic: true, tokenAgeAlarmHours: 24 }, "got 24"],
    [
      "a region that is not one",
      { replicaRegions: [{ region: "europe" }] },
      'replicaRegions holds "europe", which is not an AWS region such as eu-west-1',
    ],
    [
      "a region twice",
      { replicaRegions: [{ region: "eu-west-1" }, { region: "eu-west-1" }] },
      "replicaRegions names eu-west-1 twice",
    ],
    [
      "a replica key from another region",
      {
        replicaRegions: [
          {
            region: "eu-west-1",
            kmsKeyArn:
              "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          },
        ],
      },
      "replicaRegions[eu-west-1].kmsKeyArn is a key in us-east-1: a replica needs a key in its own region",
    ],
  ])("refuses %s", (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
