/**
 * Every hardening option: customer-managed KMS keys for both secrets, a resource policy that
 * lets nobody but the rotation function and a named break-glass role read the key, TLS-only
 * access, and one consumer role that may read the token.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { TogaiApiKeySecret, TogaiTokenRotation } from "cdktf-togai";
import type { Construct } from "constructs";

const lambdaTrust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } },
  ],
});

export class HardenedStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A relative state path keeps the synthesized JSON free of this machine's folders.
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    new AwsProvider(this, "aws", { region: "us-east-1" });

    const breakGlass = new IamRole(this, "BreakGlass", {
      name: "togai-break-glass",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Principal: { AWS: "arn:aws:iam::123456789012:root" },
          },
        ],
      }),
    });
    const apiKey = new TogaiApiKeySecret(this, "TogaiKey", {
      secretName: "billing/togai-api-key-hardened",
      createKmsKey: true,
      restrictRead: true,
      administratorArns: [breakGlass.arn],
      denyInsecureTransport: true,
      recoveryWindowInDays: 0,
    });
    // The break-glass role's own permission; the key's resource policy lets it through.
    new IamRolePolicy(this, "BreakGlassRead", {
      name: "read-togai-key",
      role: breakGlass.name,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: apiKey.secretArn },
        ],
      }),
    });
    const tokens = new TogaiTokenRotation(this, "TogaiToken", {
      apiKey,
      tokenSecretName: "billing/togai-token-hardened",
      createKmsKey: true,
      recoveryWindowInDays: 0,
    });
    const consumer = new IamRole(this, "UsageReporter", {
      name: "usage-reporter-hardened",
      assumeRolePolicy: lambdaTrust,
    });
    tokens.grantRead(consumer);

    new TerraformOutput(this, "api_key_secret_arn", { value: apiKey.secretArn });
    new TerraformOutput(this, "token_secret_arn", { value: tokens.tokenSecretArn });
    new TerraformOutput(this, "rotation_function_arn", { value: tokens.functionArn });
    new TerraformOutput(this, "consumer_role_arn", { value: consumer.arn });
    new TerraformOutput(this, "rotation_role_arn", { value: tokens.roleArn });
    new TerraformOutput(this, "break_glass_role_arn", { value: breakGlass.arn });
    new TerraformOutput(this, "api_key_kms_key_arn", { value: apiKey.kmsKeyArn ?? "" });
    new TerraformOutput(this, "token_kms_key_arn", { value: tokens.tokenKmsKeyArn ?? "" });
  }
}

if (require.main === module) {
  const app = new App();
  new HardenedStack(app, "togai-hardened");
  app.synth();
}
