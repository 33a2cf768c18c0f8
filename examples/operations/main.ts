/**
 * Operating it: alerts to an SNS topic on the first failed rotation (and when no token has been
 * minted for too long), rotation as soon as the key changes, and a replica of the token secret
 * for consumers in another region.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { TogaiApiKeySecret, TogaiTokenRotation } from "cdktf-togai";
import type { Construct } from "constructs";

export interface OperationsStackProps {
  /** Togai API base URL. @default production */
  readonly apiBaseUrl?: string;
}

export class OperationsStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: OperationsStackProps = {}) {
    super(scope, id);
    // A relative state path keeps the synthesized JSON free of this machine's folders.
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    new AwsProvider(this, "aws", { region: "us-east-1" });

    const apiKey = new TogaiApiKeySecret(this, "TogaiKey", {
      secretName: "billing/togai-api-key-ops",
      recoveryWindowInDays: 0,
    });
    const tokens = new TogaiTokenRotation(this, "TogaiToken", {
      apiKey,
      tokenSecretName: "billing/togai-token-ops",
      recoveryWindowInDays: 0,
      apiBaseUrl: props.apiBaseUrl,
      createAlarmTopic: true,
      rotateOnKeyChange: true,
      replicaRegions: [{ region: "eu-west-1" }],
    });
    const consumer = new IamRole(this, "UsageReporter", {
      name: "usage-reporter-ops",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Principal: { Service: "lambda.amazonaws.com" },
          },
        ],
      }),
    });
    tokens.grantRead(consumer);

    new TerraformOutput(this, "api_key_secret_arn", { value: apiKey.secretArn });
    new TerraformOutput(this, "token_secret_arn", { value: tokens.tokenSecretArn });
    new TerraformOutput(this, "rotation_function_arn", { value: tokens.functionArn });
    new TerraformOutput(this, "consumer_role_arn", { value: consumer.arn });
    new TerraformOutput(this, "alarm_topic_arn", { value: tokens.alarmTopicArn ?? "" });
    new TerraformOutput(this, "replica_token_secret_arn", {
      value: tokens.replicaTokenSecretArns[0],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new OperationsStack(app, "togai-operations");
  app.synth();
}
