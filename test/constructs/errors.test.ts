/**
 * Validation errors as every cdktf language sees them: jsii hands a thrown error's message to
 * Python, Java, .NET and Go unchanged, so the message alone must name the construct, the prop,
 * the value and the allowed range; `TogaiErrors.isValidationError` is the check that crosses jsii.
 */
import { TogaiBaseUrl, TogaiErrors, TogaiRotationLimits, TogaiTokenRotation } from "../../lib";
import { synthStack } from "../support/synth";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to throw");
}

test("a bad prop throws a validation error naming construct, prop, value and range", () => {
  // Arrange
  const tooShort = TogaiRotationLimits.MIN_INTERVAL_HOURS - 1;
  // Act
  const error = thrownBy(() =>
    synthStack(
      (stack) =>
        new TogaiTokenRotation(stack, "Tokens", {
          apiKeySecretArn: KEY_ARN,
          rotationIntervalHours: tooShort,
        }),
    ),
  );
  // Assert
  expect(TogaiErrors.isValidationError(error)).toBe(true);
  expect((error as Error).message).toMatch(
    new RegExp(
      `^test/Tokens: rotationIntervalHours .*${TogaiRotationLimits.MIN_INTERVAL_HOURS} to ${TogaiRotationLimits.MAX_INTERVAL_HOURS}.*got ${tooShort}`,
    ),
  );
});

test("other errors are not validation errors", () => {
  expect(TogaiErrors.isValidationError(new Error("rotationIntervalHours"))).toBe(false);
  expect(TogaiErrors.isValidationError(undefined)).toBe(false);
  expect(TogaiErrors.isValidationError("test/Tokens: bad")).toBe(false);
});

test("the static members carry the contract's values", () => {
  expect(TogaiBaseUrl.PRODUCTION).toBe("https://api.togai.com");
  expect(TogaiBaseUrl.SANDBOX).toBe("https://sandbox-api.togai.com");
  expect(TogaiRotationLimits.TOKEN_LIFETIME_HOURS).toBe(24);
});
