/** The pieces of the operator command that read its arguments before the full parse. */
import { awsSetupHint, clientRegion, secretIdArgument } from "../../lib/cli/environment";

const ARN = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:billing/key-AbCdEf";

describe("secretIdArgument", () => {
  test.each([
    [["--secret-id", ARN], ARN],
    [[`--secret-id=${ARN}`], ARN],
    [["--file", "k.txt", `--secret-id=${ARN}`, "--skip-check"], ARN],
    [["--secret-id", "first", `--secret-id=${ARN}`], ARN],
    [[`--secret-id=first`, "--secret-id", ARN], ARN],
    [["--secret-id="], ""],
    [["--token-secret-id", ARN], undefined],
    [["--token-secret-id=x", "--file", "k.txt"], undefined],
    [[], undefined],
  ])("%j gives %j", (args, expected) => {
    expect(secretIdArgument(args)).toBe(expected);
  });

  test("the = form gets the region from the ARN like the space form", () => {
    for (const args of [["--secret-id", ARN], [`--secret-id=${ARN}`]]) {
      expect(clientRegion({}, secretIdArgument(args))).toBe("eu-west-2");
    }
  });
});

describe("awsSetupHint for a missing region", () => {
  const error = new Error("Region is missing");

  test("a secret named by name: set a region, or pass the full ARN", () => {
    expect(awsSetupHint(error, "billing/key")).toBe(
      "no AWS region: set AWS_REGION (or AWS_PROFILE with a region), or pass the secret's full ARN",
    );
  });

  test("a secret named by its full ARN: only the region settings (the ARN was passed)", () => {
    expect(awsSetupHint(error, ARN)).toBe(
      "no AWS region: set AWS_REGION (or AWS_PROFILE with a region)",
    );
  });
});

describe("clientRegion", () => {
  test.each([{ AWS_REGION: "us-west-1" }, { AWS_DEFAULT_REGION: "us-west-1" }])(
    "a region in the environment (%j) wins over the ARN's: left to the SDK",
    (env) => {
      expect(clientRegion(env, ARN)).toBeUndefined();
    },
  );

  test("a name, not an ARN, names no region", () => {
    expect(clientRegion({}, "billing/key")).toBeUndefined();
  });
});
