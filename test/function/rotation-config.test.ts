import { ROTATION_ENV } from "../../lib/contract";
import { RotationError } from "../../lib/function/errors";
import { rotationConfigFromEnv } from "../../lib/function/rotation-handler";

const env = {
  [ROTATION_ENV.apiKeySecretArn]: "arn:key",
  [ROTATION_ENV.tokenSecretArn]: "arn:token",
  [ROTATION_ENV.apiBaseUrl]: "https://api.togai.com",
};

describe("rotationConfigFromEnv", () => {
  test("reads the contract's variables; minimum token life defaults to 20 h", () => {
    expect(rotationConfigFromEnv(env)).toEqual({
      apiKeySecretArn: "arn:key",
      tokenSecretArn: "arn:token",
      apiBaseUrl: "https://api.togai.com",
      minTokenLifeHours: 20,
    });
    expect(
      rotationConfigFromEnv({ ...env, [ROTATION_ENV.minTokenLifeHours]: "18" }).minTokenLifeHours,
    ).toBe(18);
  });

  test("a missing variable is named", () => {
    const { [ROTATION_ENV.apiBaseUrl]: _, ...rest } = env;
    expect(() => rotationConfigFromEnv(rest)).toThrow(
      new RotationError(
        "Environment variable TOGAI_API_BASE_URL is not set: deploy the function with TogaiTokenRotation, which sets it",
      ),
    );
  });

  test.each(["0", "24", "soon"])("a minimum token life of %s is refused", (value) => {
    expect(() =>
      rotationConfigFromEnv({ ...env, [ROTATION_ENV.minTokenLifeHours]: value }),
    ).toThrow(
      `TOGAI_MIN_TOKEN_LIFE_HOURS must be a number of hours above 0 and below 24, got "${value}"`,
    );
  });
});
