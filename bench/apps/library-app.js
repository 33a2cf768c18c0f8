// examples/basic through the compiled library (for the synth benchmark).
const { App, LocalBackend, TerraformStack } = require("cdktf");
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { IamRole } = require("@cdktf/provider-aws/lib/iam-role");
const { TogaiApiKeySecret, TogaiTokenRotation } = require("../../dist/lib/index.js");

const app = new App();
const stack = new TerraformStack(app, "togai-basic");
new LocalBackend(stack, { path: "terraform.togai-basic.tfstate" });
new AwsProvider(stack, "aws", { region: "us-east-1" });
const apiKey = new TogaiApiKeySecret(stack, "TogaiKey", {
  secretName: "billing/togai-api-key",
  recoveryWindowInDays: 0,
});
const tokens = new TogaiTokenRotation(stack, "TogaiToken", {
  apiKey,
  tokenSecretName: "billing/togai-token",
  recoveryWindowInDays: 0,
});
const consumer = new IamRole(stack, "UsageReporter", {
  name: "usage-reporter",
  assumeRolePolicy: "{}",
});
tokens.grantRead(consumer);
app.synth();
