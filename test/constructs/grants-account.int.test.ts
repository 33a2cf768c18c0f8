/**
 * A literal role ARN of another account cannot get an inline policy from this stack: Terraform
 * (for real, against moto_server, whose account is 123456789012) stops at plan with a message
 * that names the ARN and the way to grant another account; the same account's ARN plans.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { LoopbackDeployment } from "../../demo/loopback-deployment";
import { TogaiTokenRotation } from "../../lib";
import { terraform } from "../support/terraform";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";
const SAME_ACCOUNT = "arn:aws:iam::123456789012:role/same-account-reader";
const OTHER_ACCOUNT = "arn:aws:iam::999999999999:role/other-account-reader";

const deployment = new LoopbackDeployment({
  stack: (scope, id) => {
    const stack = new TerraformStack(scope, id);
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const rotation = new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN });
    rotation.grantReadToRoleArn(SAME_ACCOUNT);
    rotation.grantReadToRoleArn(OTHER_ACCOUNT);
    return stack;
  },
});

beforeAll(async () => {
  await deployment.startServers();
  deployment.synth();
  await deployment.init();
}, 180_000);

afterAll(async () => {
  await deployment.cleanup();
  deployment.removeWorkDir();
});

test("plan refuses the other account's role ARN by name, and says what to do", async () => {
  const moto = deployment.moto;
  if (!moto) throw new Error("moto_server is not started");
  const plan = await terraform(
    ["plan", "-input=false", "-no-color"],
    deployment.stackDir,
    moto.awsEnv,
    [0, 1],
  );
  const output = `${plan.stdout}\n${plan.stderr}`.replace(/\s*│\s*/g, " ");
  expect(plan.code).toBe(1);
  expect(output).toContain(`grantReadToRoleArn("${OTHER_ACCOUNT}")`);
  expect(output).toContain("crossAccountReadPrincipals");
  expect(output).not.toContain(`grantReadToRoleArn("${SAME_ACCOUNT}")`);
}, 180_000);
