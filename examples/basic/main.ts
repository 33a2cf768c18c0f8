/**
 * The basic setup: Togai's secret key in Secrets Manager, a token rotated every 6 hours, and a
 * consumer role that may read the token (and nothing else).
 *
 *   npx cdktf deploy            # then put the key once:
 *   npx cdktf-togai put-api-key --secret-id <apiKeySecretArn> --token-secret-id <tokenSecretArn> < key.txt
 */

import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { TogaiApiKeySecret, TogaiTokenRotation } from "cdktf-togai";
import type { Construct } from "constructs";

export interface BasicStackProps {
  /** Togai API base URL. @default production */
  readonly apiBaseUrl?: string;
  /** Put the key at deploy time from the ephemeral variable `togai_api_key`. @default false */
  readonly keyFromEphemeralVariable?: boolean;
}

export class BasicStack extends TerraformStack {
  readonly apiKey: TogaiApiKeySecret;
  readonly tokens: TogaiTokenRotation;
  readonly consumer: IamRole;

  constructor(scope: Construct, id: string, props: BasicStackProps = {}) {
    super(scope, id);
    // A relative state path keeps the synthesized JSON free of this machine's folders.
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    new AwsProvider(this, "aws", { region: "us-east-1" });

    this.apiKey = new TogaiApiKeySecret(this, "TogaiKey", {
      secretName: "billing/togai-api-key",
      recoveryWindowInDays: 0,
      valueFromEphemeralVariable: props.keyFromEphemeralVariable,
    });
    this.tokens = new TogaiTokenRotation(this, "TogaiToken", {
      apiKey: this.apiKey,
      tokenSecretName: "billing/togai-token",
      recoveryWindowInDays: 0,
      rotationIntervalHours: 6,
      apiBaseUrl: props.apiBaseUrl,
    });

    this.consumer = new IamRole(this, "UsageReporter", {
      name: "usage-reporter",
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
    this.tokens.grantRead(this.consumer);

    new TerraformOutput(this, "api_key_secret_arn", { value: this.apiKey.secretArn });
    new TerraformOutput(this, "token_secret_arn", { value: this.tokens.tokenSecretArn });
    new TerraformOutput(this, "rotation_function_arn", { value: this.tokens.functionArn });
    new TerraformOutput(this, "consumer_role_arn", { value: this.consumer.arn });
  }
}

if (require.main === module) {
  const app = new App();
  new BasicStack(app, "togai-basic");
  app.synth();
}
