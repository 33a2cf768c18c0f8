import { TogaiApiKeySecret, type TogaiApiKeySecretProps } from "../../lib";
import { onlyResource, resourcesOf, synthStack } from "../support/synth";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";
const KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function synthKey(props?: TogaiApiKeySecretProps, check?: (key: TogaiApiKeySecret) => void) {
  return synthStack((stack) => {
    const key = new TogaiApiKeySecret(stack, "Key", props);
    check?.(key);
  });
}

describe("TogaiApiKeySecret", () => {
  test("defaults: a prefixed name, 30-day recovery, AWS managed key, no value, no variable", () => {
    const json = synthKey();
    expect(onlyResource(json, "aws_secretsmanager_secret")).toEqual(
      expect.objectContaining({
        name_prefix: "togai-api-key-",
        recovery_window_in_days: 30,
        description:
          "Togai secret key (long-lived). Read only by the Togai token rotation function.",
      }),
    );
    expect(onlyResource(json, "aws_secretsmanager_secret").kms_key_id).toBeUndefined();
    expect(resourcesOf(json, "aws_secretsmanager_secret_version")).toEqual([]);
    expect(json.variable).toBeUndefined();
  });

  test("name, description, tags, recovery window and a given CMK", () => {
    const json = synthKey({
      secretName: "billing/togai-api-key",
      description: "ours",
      tags: { team: "billing" },
      recoveryWindowInDays: 0,
      kmsKeyArn: KMS_ARN,
    });
    expect(onlyResource(json, "aws_secretsmanager_secret")).toMatchObject({
      name: "billing/togai-api-key",
      description: "ours",
      tags: { team: "billing" },
      recovery_window_in_days: 0,
      kms_key_id: KMS_ARN,
    });
  });

  test("createKmsKey creates a rotating key with the default key policy", () => {
    const json = synthKey({ createKmsKey: true, tags: { team: "billing" } }, (key) => {
      expect(key.kmsKeyArn).toBeDefined();
    });
    const key = onlyResource(json, "aws_kms_key");
    expect(key).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      tags: { team: "billing" },
    });
    expect(onlyResource(json, "aws_secretsmanager_secret").kms_key_id).toMatch(/aws_kms_key\./);
  });

  test("adopting an existing secret creates no secret and exposes its ARN and name", () => {
    const json = synthKey({ existingSecretArn: SECRET_ARN, kmsKeyArn: KMS_ARN }, (key) => {
      expect(key.secretArn).toBe(SECRET_ARN);
      expect(key.secretName).toBe("billing/togai-key");
      expect(key.kmsKeyArn).toBe(KMS_ARN);
      expect(key.secret).toBeUndefined();
    });
    expect(resourcesOf(json, "aws_secretsmanager_secret")).toEqual([]);
  });

  test("the ephemeral variable feeds the write-only argument: the value never enters plan or state", () => {
    const json = synthKey({ valueFromEphemeralVariable: true, ephemeralValueVersion: 3 });
    expect(json.variable.togai_api_key).toEqual({
      type: "string",
      sensitive: true,
      nullable: false,
      ephemeral: true,
      description: expect.stringContaining("write-only"),
    });
    const version = onlyResource(json, "aws_secretsmanager_secret_version");
    expect(version.secret_string_wo).toBe("${var.togai_api_key}");
    expect(version.secret_string_wo_version).toBe(3);
    expect(version.secret_string).toBeUndefined();
  });

  test("the ephemeral variable's name can be chosen", () => {
    const json = synthKey({
      valueFromEphemeralVariable: true,
      ephemeralVariableName: "billing_togai_key",
    });
    expect(Object.keys(json.variable)).toEqual(["billing_togai_key"]);
  });

  test.each<[string, TogaiApiKeySecretProps, string]>([
    [
      "recovery window",
      { recoveryWindowInDays: 5 },
      "recoveryWindowInDays must be 0 (delete without recovery) or 7 to 30 days, got 5",
    ],
    [
      "malformed ARN",
      { existingSecretArn: "arn:aws:s3:::bucket" },
      'existingSecretArn is not a valid ARN: got "arn:aws:s3:::bucket"',
    ],
    [
      "malformed KMS ARN",
      { kmsKeyArn: "alias/togai" },
      'kmsKeyArn is not a valid ARN: got "alias/togai"',
    ],
    [
      "both KMS options",
      { kmsKeyArn: KMS_ARN, createKmsKey: true },
      "give kmsKeyArn or createKmsKey, not both",
    ],
    [
      "creation props on an adopted secret",
      { existingSecretArn: SECRET_ARN, secretName: "x", recoveryWindowInDays: 7 },
      "secretName, recoveryWindowInDays only apply to a secret created here; remove them when adopting existingSecretArn",
    ],
    [
      "variable name",
      { valueFromEphemeralVariable: true, ephemeralVariableName: "9lives" },
      "ephemeralVariableName must be a Terraform identifier",
    ],
    [
      "value version",
      { valueFromEphemeralVariable: true, ephemeralValueVersion: 0 },
      "ephemeralValueVersion must be a whole number from 1",
    ],
  ])("refuses %s", (_name, props, message) => {
    expect(() => synthKey(props)).toThrow(message);
  });
});
