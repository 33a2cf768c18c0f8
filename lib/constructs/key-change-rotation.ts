import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Construct } from "constructs";
import { partialArnOf } from "./secret-name";

export interface KeyChangeRotationProps {
  readonly apiKeySecretArn: string;
  readonly apiKeySecretName: string;
  readonly functionArn: string;
  readonly functionName: string;
  readonly tags?: { [key: string]: string };
}

/**
 * Rotates the token secret as soon as the API-key secret gets a new value: an EventBridge rule
 * on the CloudTrail events of PutSecretValue and UpdateSecret for that secret invokes the rotation
 * function, which starts a rotation (so a new key takes effect at once, and the first key put
 * mints the first token); the function's role may always start a rotation of its token secret. CloudTrail must record management events (a trail) for EventBridge to
 * receive them.
 */
export class KeyChangeRotation extends Construct {
  readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: KeyChangeRotationProps) {
    super(scope, id);
    this.rule = new CloudwatchEventRule(this, "KeyChanged", {
      description: "The Togai API key changed: rotate the token secret now",
      eventPattern: JSON.stringify({
        source: ["aws.secretsmanager"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: {
          eventSource: ["secretsmanager.amazonaws.com"],
          eventName: ["PutSecretValue", "UpdateSecret"],
          // Callers name a secret by ARN, by name, or by its ARN without the random suffix.
          requestParameters: {
            secretId: [
              props.apiKeySecretArn,
              props.apiKeySecretName,
              partialArnOf(this, "api_key_partial_arn", props.apiKeySecretArn),
            ],
          },
        },
      }),
      tags: props.tags,
    });
    new CloudwatchEventTarget(this, "RotateNow", { rule: this.rule.name, arn: props.functionArn });
    new LambdaPermission(this, "InvokeByEventBridge", {
      functionName: props.functionName,
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
      sourceArn: this.rule.arn,
    });
  }
}
