import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { Construct } from "constructs";
import { TOKEN_METRIC } from "../contract";

/** What the alerts watch. */
export interface RotationAlertsProps {
  /** ARN of the token secret whose rotation is watched. */
  readonly tokenSecretArn: string;
  /** Name of the token secret (events may name the secret by name instead of ARN). */
  readonly tokenSecretName: string;
  /** Name of the rotation function whose errors are watched. */
  readonly functionName: string;
  /**
   * Existing SNS topic to notify.
   * @default a topic is created
   */
  readonly topicArn?: string;
  /** Hours without a successful rotation after which the token-age alarm fires. */
  readonly tokenAgeAlarmHours: number;
  /**
   * Tags for the resources created.
   * @default no tags
   */
  readonly tags?: { [key: string]: string };
}

/**
 * Alerts on the first failure: an EventBridge rule on Secrets Manager's RotationFailed and
 * RotationAbandoned events for the token secret, an alarm on the rotation function's errors, and
 * an alarm when no rotation has succeeded for `tokenAgeAlarmHours` (from the metric the function
 * publishes in its log, in the embedded metric format). All notify one SNS topic.
 */
export class RotationAlerts extends Construct {
  /** The SNS topic every alert notifies. */
  readonly topicArn: string;
  /** EventBridge rule on Secrets Manager's RotationFailed and RotationAbandoned events. */
  readonly failureRule: CloudwatchEventRule;
  /** Alarm on the rotation function's errors. */
  readonly errorsAlarm: CloudwatchMetricAlarm;
  /** Alarm when no rotation has succeeded for `tokenAgeAlarmHours`. */
  readonly tokenAgeAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: RotationAlertsProps) {
    super(scope, id);
    const topic = props.topicArn
      ? undefined
      : new SnsTopic(this, "Topic", { namePrefix: "togai-token-alerts-", tags: props.tags });
    this.topicArn = props.topicArn ?? (topic as SnsTopic).arn;

    this.failureRule = new CloudwatchEventRule(this, "RotationFailed", {
      description: "Rotation of the Togai token secret failed or was abandoned",
      eventPattern: JSON.stringify({
        source: ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        detail: {
          eventSource: ["secretsmanager.amazonaws.com"],
          eventName: ["RotationFailed", "RotationAbandoned"],
          // Secrets Manager names the secret by ARN; a name match costs nothing and is safe.
          additionalEventData: { SecretId: [props.tokenSecretArn, props.tokenSecretName] },
        },
      }),
      tags: props.tags,
    });
    new CloudwatchEventTarget(this, "NotifyOnFailure", {
      rule: this.failureRule.name,
      arn: this.topicArn,
    });

    this.errorsAlarm = new CloudwatchMetricAlarm(this, "FunctionErrors", {
      alarmName: `${props.functionName}-errors`,
      alarmDescription:
        "The Togai token rotation function failed: see its log group, and `cdktf-togai status`",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: props.functionName },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [this.topicArn],
      tags: props.tags,
    });

    // One datapoint per successful rotation; N hourly periods without one is an old token.
    this.tokenAgeAlarm = new CloudwatchMetricAlarm(this, "TokenAge", {
      alarmName: `${props.functionName}-token-age`,
      alarmDescription: `No Togai token has been minted for ${props.tokenAgeAlarmHours} h: consumers fail when the current one expires (24 h after it was minted)`,
      namespace: TOKEN_METRIC.namespace,
      metricName: TOKEN_METRIC.hoursLeft,
      dimensions: { [TOKEN_METRIC.dimension]: props.tokenSecretName },
      statistic: "SampleCount",
      period: 3600,
      evaluationPeriods: props.tokenAgeAlarmHours,
      datapointsToAlarm: props.tokenAgeAlarmHours,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      alarmActions: [this.topicArn],
      tags: props.tags,
    });

    if (topic) {
      new SnsTopicPolicy(this, "TopicPolicy", {
        arn: topic.arn,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "RotationFailureRule",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { ArnEquals: { "aws:SourceArn": this.failureRule.arn } },
            },
            {
              Sid: "RotationAlarms",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: {
                ArnEquals: { "aws:SourceArn": [this.errorsAlarm.arn, this.tokenAgeAlarm.arn] },
              },
            },
          ],
        }),
      });
    }
  }
}
