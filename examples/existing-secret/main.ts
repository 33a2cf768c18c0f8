/**
 * Adopting what already exists: a secret that already holds Togai's key (encrypted with a
 * customer-managed key), the Togai sandbox, and a customer-managed key for the token secret.
 */

import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { TOGAI_SANDBOX_BASE_URL, TogaiApiKeySecret, TogaiTokenRotation } from "cdktf-togai";
import type { Construct } from "constructs";

export const EXISTING_KEY_SECRET_ARN =
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-sandbox-key-AbCdEf";
export const EXISTING_KEY_KMS_ARN =
  "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

export class ExistingSecretStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A relative state path keeps the synthesized JSON free of this machine's folders.
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    new AwsProvider(this, "aws", { region: "us-east-1" });

    // Adopting creates nothing: the secret, its value and its resource policy stay where they
    // are defined (allow the rotation function's role there if that policy restricts reads).
    const apiKey = TogaiApiKeySecret.fromSecretArn(this, "TogaiKey", EXISTING_KEY_SECRET_ARN, {
      kmsKeyArn: EXISTING_KEY_KMS_ARN,
    });
    const tokens = new TogaiTokenRotation(this, "TogaiToken", {
      apiKey,
      apiBaseUrl: TOGAI_SANDBOX_BASE_URL,
      createKmsKey: true,
      rotationIntervalHours: 8,
    });

    const reader = new IamRole(this, "Reader", {
      name: "sandbox-usage-reporter",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
          },
        ],
      }),
    });
    tokens.grantRead(reader);
    new TerraformOutput(this, "token_secret_arn", { value: tokens.tokenSecretArn });
  }
}

if (require.main === module) {
  const app = new App();
  new ExistingSecretStack(app, "togai-existing-secret");
  app.synth();
}
