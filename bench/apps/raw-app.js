// The same resources as examples/basic, declared directly with the provider bindings (for the
// synth benchmark's comparison).
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { App, AssetType, LocalBackend, TerraformAsset, TerraformStack } = require("cdktf");
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { CloudwatchLogGroup } = require("@cdktf/provider-aws/lib/cloudwatch-log-group");
const { DataAwsRegion } = require("@cdktf/provider-aws/lib/data-aws-region");
const { IamRole } = require("@cdktf/provider-aws/lib/iam-role");
const { IamRolePolicy } = require("@cdktf/provider-aws/lib/iam-role-policy");
const { LambdaFunction } = require("@cdktf/provider-aws/lib/lambda-function");
const { LambdaPermission } = require("@cdktf/provider-aws/lib/lambda-permission");
const { SecretsmanagerSecret } = require("@cdktf/provider-aws/lib/secretsmanager-secret");
const {
  SecretsmanagerSecretRotation,
} = require("@cdktf/provider-aws/lib/secretsmanager-secret-rotation");

const zip = join(__dirname, "..", "..", "assets", "rotation-function.zip");
const app = new App();
const stack = new TerraformStack(app, "togai-basic");
new LocalBackend(stack, { path: "terraform.togai-basic.tfstate" });
new AwsProvider(stack, "aws", { region: "us-east-1" });
const region = new DataAwsRegion(stack, "Region");
const key = new SecretsmanagerSecret(stack, "Key", {
  name: "billing/togai-api-key",
  recoveryWindowInDays: 0,
});
const token = new SecretsmanagerSecret(stack, "Token", {
  name: "billing/togai-token",
  recoveryWindowInDays: 0,
});
const logs = new CloudwatchLogGroup(stack, "Logs", {
  name: "/aws/lambda/togai-rotation",
  retentionInDays: 30,
});
const trust = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } },
  ],
};
const role = new IamRole(stack, "Role", {
  name: "togai-rotation",
  assumeRolePolicy: JSON.stringify(trust),
});
const policy = new IamRolePolicy(stack, "Policy", {
  role: role.name,
  policy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetSecretValue",
          "secretsmanager:PutSecretValue",
          "secretsmanager:UpdateSecretVersionStage",
        ],
        Resource: token.arn,
      },
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: key.arn },
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logs.arn}:*`,
      },
    ],
  }),
});
const asset = new TerraformAsset(stack, "Code", { path: zip, type: AssetType.FILE });
const fn = new LambdaFunction(stack, "Function", {
  functionName: "togai-rotation",
  role: role.arn,
  runtime: "nodejs22.x",
  handler: "index.handler",
  filename: asset.path,
  sourceCodeHash: createHash("sha256").update(readFileSync(zip)).digest("base64"),
  environment: {
    variables: {
      TOGAI_API_KEY_SECRET_ARN: key.arn,
      TOGAI_TOKEN_SECRET_ARN: token.arn,
      TOGAI_API_BASE_URL: "https://api.togai.com",
      REGION: region.name,
    },
  },
  dependsOn: [logs, policy],
});
const permission = new LambdaPermission(stack, "Invoke", {
  functionName: fn.functionName,
  action: "lambda:InvokeFunction",
  principal: "secretsmanager.amazonaws.com",
  sourceArn: token.arn,
});
new SecretsmanagerSecretRotation(stack, "Rotation", {
  secretId: token.arn,
  rotationLambdaArn: fn.arn,
  rotationRules: { scheduleExpression: "rate(6 hours)" },
  dependsOn: [permission],
});
const consumer = new IamRole(stack, "UsageReporter", {
  name: "usage-reporter",
  assumeRolePolicy: "{}",
});
new IamRolePolicy(stack, "Read", {
  role: consumer.name,
  policy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: token.arn,
      },
    ],
  }),
});
app.synth();
