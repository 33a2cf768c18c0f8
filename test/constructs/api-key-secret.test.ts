import { TogaiApiKeySecret, type TogaiApiKeySecretProps, TogaiTokenRotation } from "../../lib";
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

  test("restrictRead: a resource policy denying GetSecretValue to all but the rotation role and administrators", () => {
    const json = synthStack((stack) => {
      const apiKey = new TogaiApiKeySecret(stack, "Key", {
        restrictRead: true,
        administratorArns: ["arn:aws:iam::123456789012:role/break-glass"],
      });
      new TogaiTokenRotation(stack, "Tokens", { apiKey });
    });
    const policy = onlyResource(json, "aws_secretsmanager_secret_policy");
    expect(policy.block_public_policy).toBe(true);
    const [deny] = JSON.parse(policy.policy).Statement;
    expect(deny).toMatchObject({
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "secretsmanager:GetSecretValue",
      Condition: {
        ArnNotEquals: {
          "aws:PrincipalArn": [
            "arn:aws:iam::123456789012:role/break-glass",
            expect.stringMatching(/aws_iam_role\.Tokens_Role.+\.arn/),
          ],
        },
      },
    });
    expect(JSON.parse(policy.policy).Statement).toHaveLength(1);
  });

  test("restrictRead with the ephemeral variable keeps the deploying role able to refresh its version", () => {
    const json = synthKey({ restrictRead: true, valueFromEphemeralVariable: true });
    const readers = JSON.parse(onlyResource(json, "aws_secretsmanager_secret_policy").policy)
      .Statement[0].Condition.ArnNotEquals["aws:PrincipalArn"];
    expect(readers).toEqual([
      expect.stringMatching(/data\.aws_iam_session_context\..+\.issuer_arn/),
    ]);
  });

  test("denyInsecureTransport: every request without TLS is denied", () => {
    const json = synthKey({ denyInsecureTransport: true });
    expect(
      JSON.parse(onlyResource(json, "aws_secretsmanager_secret_policy").policy).Statement,
    ).toEqual([
      {
        Sid: "DenyWithoutTls",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "secretsmanager:*",
        Resource: expect.stringMatching(/aws_secretsmanager_secret\./),
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test.each<[string, TogaiApiKeySecretProps, string]>([
    [
      "a session ARN as administrator (it would never match)",
      {
        restrictRead: true,
        administratorArns: ["arn:aws:sts::123456789012:assumed-role/Admin/alice"],
      },
      'administratorArns holds an STS session ARN "arn:aws:sts::123456789012:assumed-role/Admin/alice", which never matches and would lock that administrator out: use the role ARN arn:aws:iam::123456789012:role/Admin',
    ],
    [
      "a wildcard administrator",
      { restrictRead: true, administratorArns: ["arn:aws:iam::123456789012:role/*"] },
      "administratorArns is not a valid ARN",
    ],
    [
      "administrators without restrictRead",
      { administratorArns: ["arn:aws:iam::123456789012:role/a"] },
      "administratorArns only applies with restrictRead: true",
    ],
    [
      "restrictRead on an adopted secret",
      { existingSecretArn: SECRET_ARN, restrictRead: true },
      "restrictRead would replace the adopted secret's resource policy",
    ],
  ])("refuses %s", (_name, props, message) => {
    expect(() => synthKey(props)).toThrow(message);
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
