/**
 * One way in for an existing key secret: `TogaiApiKeySecret.fromSecretArn`. The deprecated props
 * (`existingSecretArn`, `apiKeySecretArn` / `apiKeyKmsKeyArn`) still synthesize exactly what they
 * did, say at synth that they are deprecated, and an adopted secret never drops a reader silently.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { resolve } from "cdktf/lib/_tokens";
import type { Construct, IConstruct } from "constructs";
import {
  EXISTING_KEY_KMS_ARN,
  EXISTING_KEY_SECRET_ARN,
  ExistingSecretStack,
} from "../../examples/existing-secret/main";
import { TOGAI_SANDBOX_BASE_URL, TogaiApiKeySecret, TogaiTokenRotation } from "../../lib";
import type { AdoptedTogaiApiKeySecret } from "../../lib/constructs/api-key-secret-ref";
import { synthStack } from "../support/synth";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";
const KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** The annotations of one level ("@cdktf/warn", "@cdktf/info") on a construct. */
function annotations(scope: IConstruct, type: string): string[] {
  return scope.node.metadata.filter((m) => m.type === type).map((m) => String(m.data));
}

/** The existing-secret example as it was written before 0.2.0, with the deprecated prop. */
class DeprecatedExistingSecretStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    new AwsProvider(this, "aws", { region: "us-east-1" });
    const apiKey = new TogaiApiKeySecret(this, "TogaiKey", {
      existingSecretArn: EXISTING_KEY_SECRET_ARN,
      kmsKeyArn: EXISTING_KEY_KMS_ARN,
    });
    const tokens = new TogaiTokenRotation(this, "TogaiToken", {
      apiKey,
      apiBaseUrl: TOGAI_SANDBOX_BASE_URL,
      createKmsKey: true,
      rotationIntervalHours: 8,
    });
    const reader = new IamRole(this, "Reader", {
      name: "sandbox-usage-reporter",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
          },
        ],
      }),
    });
    tokens.grantRead(reader);
    new TerraformOutput(this, "token_secret_arn", { value: tokens.tokenSecretArn });
  }
}

describe("adopting an existing key secret", () => {
  test("the example with the deprecated existingSecretArn synthesizes the very same JSON as with fromSecretArn", () => {
    const before = Testing.synth(new DeprecatedExistingSecretStack(Testing.app(), "togai-x"));
    const after = Testing.synth(new ExistingSecretStack(Testing.app(), "togai-x"));
    expect(JSON.parse(after)).toEqual(JSON.parse(before));
    expect(Object.keys(JSON.parse(after).resource).length).toBeGreaterThan(3);
  });

  test("an ARN only Terraform knows: the same name local, in the same place, both ways", () => {
    const build = (adopt: (stack: TerraformStack, arn: string) => TogaiApiKeySecretLike) =>
      synthStack((stack) => {
        const arn = new TerraformVariable(stack, "key_arn", { type: "string" }).stringValue;
        const apiKey = adopt(stack, arn);
        new TogaiTokenRotation(stack, "Tokens", { apiKey, rotateOnKeyChange: true });
      });
    const before = build((s, arn) => new TogaiApiKeySecret(s, "Key", { existingSecretArn: arn }));
    const after = build((s, arn) => TogaiApiKeySecret.fromSecretArn(s, "Key", arn));
    expect(after).toEqual(before);
    expect(Object.keys(after.locals)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Key_SecretName_/)]),
    );
  });

  test("the deprecated apiKeySecretArn / apiKeyKmsKeyArn synthesize the same resources and outputs as apiKey", () => {
    const build = (deprecated: boolean) =>
      synthStack((stack) => {
        new TogaiTokenRotation(
          stack,
          "Tokens",
          deprecated
            ? { apiKeySecretArn: KEY_ARN, apiKeyKmsKeyArn: KMS_ARN, rotateOnKeyChange: true }
            : {
                apiKey: TogaiApiKeySecret.fromSecretArn(stack, "Key", KEY_ARN, {
                  kmsKeyArn: KMS_ARN,
                }),
                rotateOnKeyChange: true,
              },
        );
      });
    const before = build(true);
    const after = build(false);
    expect(after.resource).toEqual(before.resource);
    expect(after.output).toEqual(before.output);
    expect(JSON.stringify(after.resource)).toContain(KMS_ARN);
  });

  test("the deprecated props warn at synth and name what to use; fromSecretArn does not", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const oldKey = new TogaiApiKeySecret(stack, "Old", { existingSecretArn: KEY_ARN });
    const oldRotation = new TogaiTokenRotation(stack, "OldTokens", { apiKeySecretArn: KEY_ARN });
    const newKey = TogaiApiKeySecret.fromSecretArn(stack, "New", KEY_ARN);
    const newRotation = new TogaiTokenRotation(stack, "NewTokens", { apiKey: newKey });

    expect(annotations(oldKey, "@cdktf/warn")).toEqual([
      expect.stringMatching(/^existingSecretArn is deprecated .*TogaiApiKeySecret\.fromSecretArn/),
    ]);
    expect(annotations(oldRotation, "@cdktf/warn")).toEqual([
      expect.stringMatching(/^apiKeySecretArn and apiKeyKmsKeyArn are deprecated .*fromSecretArn/),
    ]);
    expect(annotations(newKey, "@cdktf/warn")).toEqual([]);
    expect(annotations(newRotation, "@cdktf/warn")).toEqual([]);
  });

  test("the rotation function's role is recorded and announced as a reader of an adopted secret, by either path", () => {
    synthStack((stack) => {
      const adopted = TogaiApiKeySecret.fromSecretArn(stack, "Key", KEY_ARN);
      const rotation = new TogaiTokenRotation(stack, "Tokens", { apiKey: adopted });
      const readers = (adopted as AdoptedTogaiApiKeySecret).allowedReaderArns;
      expect(resolve(stack, readers)).toEqual([resolve(stack, rotation.roleArn)]);
      expect(resolve(stack, readers)[0]).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
      expect(annotations(adopted, "@cdktf/info")).toEqual([
        expect.stringContaining("allow the rotation function's role"),
      ]);

      const old = new TogaiApiKeySecret(stack, "OldKey", { existingSecretArn: KEY_ARN });
      new TogaiTokenRotation(stack, "OldTokens", { apiKey: old });
      expect(annotations(old, "@cdktf/info")).toEqual([
        expect.stringContaining("managed where the secret is defined"),
      ]);

      const byArn = new TogaiTokenRotation(stack, "ArnTokens", { apiKeySecretArn: KEY_ARN });
      const adoptedByArn = byArn.node.findChild("ApiKey");
      expect(annotations(adoptedByArn, "@cdktf/info")).toEqual([
        expect.stringContaining("managed where the secret is defined"),
      ]);
    });
  });

  test("a secret created here says nothing: its own policy (restrictRead) already allows the reader", () => {
    synthStack((stack) => {
      const created = new TogaiApiKeySecret(stack, "Key");
      new TogaiTokenRotation(stack, "Tokens", { apiKey: created });
      expect(annotations(created, "@cdktf/info")).toEqual([]);
    });
  });

  test("fromSecretArn exposes the ARN, the name and the key, and creates nothing", () => {
    const json = synthStack((stack) => {
      const key = TogaiApiKeySecret.fromSecretArn(stack, "Key", KEY_ARN, { kmsKeyArn: KMS_ARN });
      expect(key.secretArn).toBe(KEY_ARN);
      expect(key.secretName).toBe("billing/togai-key");
      expect(key.kmsKeyArn).toBe(KMS_ARN);
    });
    expect(json.resource).toBeUndefined();
  });

  test("fromSecretArn refuses what is not a full secret ARN or a key ARN, naming the argument", () => {
    expect(() =>
      synthStack((stack) => TogaiApiKeySecret.fromSecretArn(stack, "Key", "billing/togai-key")),
    ).toThrow('secretArn is not a valid ARN: got "billing/togai-key"');
    expect(() =>
      synthStack((stack) =>
        TogaiApiKeySecret.fromSecretArn(stack, "Key", KEY_ARN, { kmsKeyArn: "alias/x" }),
      ),
    ).toThrow('kmsKeyArn is not a valid ARN: got "alias/x"');
  });
});

type TogaiApiKeySecretLike = ReturnType<typeof TogaiApiKeySecret.fromSecretArn>;
