import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { TogaiApiKeySecret, TogaiErrors, TogaiTokenRotation } from "../../lib";
import { synthStack } from "../support/synth";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";

describe("TogaiTokenRotation outputs", () => {
  test("declares the four outputs by exact name, not sensitive, referring to the right resources", () => {
    const json = synthStack((stack) => {
      const apiKey = new TogaiApiKeySecret(stack, "Key", { secretName: "billing/togai-key" });
      new TogaiTokenRotation(stack, "Tokens", { apiKey });
    });
    expect(json.output).toEqual({
      Tokens_api_key_secret_arn: expect.objectContaining({
        value: "${aws_secretsmanager_secret.Key_Secret_244AB7EB.arn}",
      }),
      Tokens_token_secret_arn: expect.objectContaining({
        value: "${aws_secretsmanager_secret.Tokens_TokenSecret_1A0BCAC0.arn}",
      }),
      Tokens_rotation_function_name: expect.objectContaining({
        value: expect.stringMatching(/^togai-token-rotation-[0-9a-f]{10}$/),
      }),
      Tokens_rotation_function_arn: expect.objectContaining({
        value: expect.stringMatching(/^\$\{aws_lambda_function\.Tokens_Function_[0-9A-F]+\.arn\}$/),
      }),
    });
    for (const output of Object.values<Record<string, unknown>>(json.output)) {
      expect(output.sensitive).toBeUndefined();
      expect(output.description).toEqual(expect.any(String));
    }
  });

  test("an adopted key secret's ARN is output as given", () => {
    const json = synthStack((stack) => {
      new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN });
    });
    expect(json.output.Tokens_api_key_secret_arn.value).toBe(KEY_ARN);
  });

  test.each([
    ["billing.tokens", "billing_tokens"],
    ["1st rotation", "_1st_rotation"],
    ["Tokens-eu", "Tokens-eu"],
  ])("construct id %j gives output names starting %j", (id, prefix) => {
    const json = synthStack((stack) => {
      new TogaiTokenRotation(stack, id, { apiKeySecretArn: KEY_ARN });
    });
    expect(Object.keys(json.output).sort()).toEqual(
      [
        "api_key_secret_arn",
        "rotation_function_arn",
        "rotation_function_name",
        "token_secret_arn",
      ].map((s) => `${prefix}_${s}`),
    );
  });

  test("outputs: false declares none", () => {
    const json = synthStack((stack) => {
      new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN, outputs: false });
    });
    expect(json.output).toBeUndefined();
  });

  test("two rotations of one stack whose ids give the same names: a synth error saying what to do", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    new TogaiTokenRotation(new Construct(stack, "Eu"), "Tokens", { apiKeySecretArn: KEY_ARN });
    let caught: unknown;
    try {
      new TogaiTokenRotation(new Construct(stack, "Us"), "Tokens", { apiKeySecretArn: KEY_ARN });
    } catch (e) {
      caught = e;
    }
    expect(TogaiErrors.isValidationError(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      'test/Us/Tokens: the Terraform output "Tokens_api_key_secret_arn" is already declared by ' +
        "test/Eu/Tokens/apiKeySecretArnOutput: two TogaiTokenRotation constructs in one stack " +
        'whose ids give the same output names ("Tokens_...") need different construct ids, or ' +
        "`outputs: false` on one of them",
    );
    // With outputs off on the second, both synthesize.
    new TogaiTokenRotation(new Construct(stack, "Ap"), "Tokens", {
      apiKeySecretArn: KEY_ARN,
      outputs: false,
    });
    expect(Object.keys(JSON.parse(Testing.synth(stack)).output)).toHaveLength(4);
  });

  test("the same construct id in two stacks: each stack has its own outputs", () => {
    const app = Testing.app();
    const stacks = ["eu", "us"].map((id) => {
      const stack = new TerraformStack(app, id);
      new AwsProvider(stack, "aws", { region: "us-east-1" });
      new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN });
      return stack;
    });
    for (const stack of stacks) {
      expect(Object.keys(JSON.parse(Testing.synth(stack)).output)).toHaveLength(4);
    }
  });
});
