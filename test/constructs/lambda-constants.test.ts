/** The Lambda runtime and architecture have static constants; their plain strings still work. */
import { TogaiLambdaArchitecture, TogaiLambdaRuntime, TogaiTokenRotation } from "../../lib";
import { onlyResource, synthStack } from "../support/synth";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";

function rotationFunction(props: { runtime?: string; architecture?: string }) {
  const json = synthStack((stack) => {
    new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN, ...props });
  });
  return onlyResource(json, "aws_lambda_function");
}

test("the constants name Lambda's own values", () => {
  expect(TogaiLambdaRuntime.ALL).toEqual(["nodejs20.x", "nodejs22.x"]);
  expect(TogaiLambdaArchitecture.ALL).toEqual(["arm64", "x86_64"]);
});

test("the defaults are the constants NODEJS_22_X and ARM_64", () => {
  const fn = rotationFunction({});
  expect(fn.runtime).toBe(TogaiLambdaRuntime.NODEJS_22_X);
  expect(fn.architectures).toEqual([TogaiLambdaArchitecture.ARM_64]);
});

test("a constant and its plain string synthesize the same function", () => {
  const byConstant = rotationFunction({
    runtime: TogaiLambdaRuntime.NODEJS_20_X,
    architecture: TogaiLambdaArchitecture.X86_64,
  });
  const byString = rotationFunction({ runtime: "nodejs20.x", architecture: "x86_64" });
  expect(byConstant).toEqual(byString);
  expect(byConstant.runtime).toBe("nodejs20.x");
  expect(byConstant.architectures).toEqual(["x86_64"]);
});

test("a value outside the constants is refused at synth, naming the allowed ones", () => {
  expect(() => rotationFunction({ runtime: "nodejs18.x" })).toThrow(
    'runtime must be one of "nodejs20.x", "nodejs22.x", got "nodejs18.x"',
  );
});
