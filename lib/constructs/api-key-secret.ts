import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamSessionContext } from "@cdktf/provider-aws/lib/data-aws-iam-session-context";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Annotations, Lazy, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import {
  AdoptedTogaiApiKeySecret,
  announceAdoptedPolicy,
  type ITogaiApiKeySecret,
  type TogaiApiKeySecretFromArnOptions,
} from "./api-key-secret-ref";
import { validateApiKeySecretProps } from "./api-key-secret-validation";
import { apiKeySecretPolicy } from "./policies";
import { secretNameOf } from "./secret-name";

/** Properties of {@link TogaiApiKeySecret}. */
export interface TogaiApiKeySecretProps {
  /**
   * Name of the secret to create.
   * @default a name starting with "togai-api-key-", chosen by Terraform
   */
  readonly secretName?: string;

  /**
   * Adopt an existing secret that already holds Togai's secret key, by ARN, instead of creating
   * one. Its KMS key, if customer-managed, is given with `kmsKeyArn`.
   * @default a new secret is created
   * @deprecated use `TogaiApiKeySecret.fromSecretArn(scope, id, arn, { kmsKeyArn })`, which
   * synthesizes the same resources; this prop is removed in 0.3.0.
   */
  readonly existingSecretArn?: string;

  /**
   * Customer-managed KMS key (key ARN) the secret is encrypted with. With `existingSecretArn`, the
   * key that secret already uses.
   * @default the AWS managed key `aws/secretsmanager`, unless `createKmsKey`
   */
  readonly kmsKeyArn?: string;

  /**
   * Create a customer-managed KMS key (with yearly rotation) for this secret.
   * @default false
   */
  readonly createKmsKey?: boolean;

  /**
   * Days Secrets Manager keeps the secret after deletion: 0 (delete at once) or 7 to 30.
   * @default 30
   */
  readonly recoveryWindowInDays?: number;

  /**
   * Description of the secret.
   * @default "Togai secret key (long-lived). Read only by the Togai token rotation function."
   */
  readonly description?: string;

  /**
   * Tags for the secret (and the KMS key, when created).
   * @default no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * Put the key at deploy time from an ephemeral, sensitive Terraform variable, through the
   * write-only `secret_string_wo` argument: the key never enters the plan or the state. Supply
   * the variable as `TF_VAR_<name>` from your CI's secret store. Without this, put the key out of
   * band with `cdktf-togai put-api-key` (reads stdin).
   * @default false
   */
  readonly valueFromEphemeralVariable?: boolean;

  /**
   * Name of the ephemeral variable of `valueFromEphemeralVariable`.
   * @default "togai_api_key"
   */
  readonly ephemeralVariableName?: string;

  /**
   * Version of the value put from the ephemeral variable. Terraform cannot see a write-only
   * value change: increase this number to put a new key.
   * @default 1
   */
  readonly ephemeralValueVersion?: number;

  /**
   * Hardening: a resource policy that denies reading the key (`GetSecretValue`) to every
   * principal except the rotation function's role, `administratorArns`, and (with
   * `valueFromEphemeralVariable`) the principal that deploys, so Terraform can still refresh the
   * version it wrote. Management actions stay allowed, so the deployer can always change or
   * remove the policy. Only for a secret created here.
   * @default false
   */
  readonly restrictRead?: boolean;

  /**
   * With `restrictRead`: roles or users (exact IAM ARNs, no wildcards, not STS session ARNs)
   * that may still read the key, e.g. a break-glass role.
   * @default none
   */
  readonly administratorArns?: string[];

  /**
   * Hardening: a resource policy statement that denies every request made without TLS.
   * @default false
   */
  readonly denyInsecureTransport?: boolean;
}

/**
 * The Secrets Manager secret holding Togai's long-lived secret key. Its value never passes
 * through a construct prop. Only the rotation function of {@link TogaiTokenRotation} is granted
 * to read it; there is deliberately no `grantRead` here. An existing secret comes in through
 * {@link TogaiApiKeySecret.fromSecretArn}.
 *
 * @example
 * import { TerraformStack } from "cdktf";
 * import { TogaiApiKeySecret, TogaiTokenRotation } from "cdktf-togai";
 *
 * declare const stack: TerraformStack;
 *
 * // A new secret: put the key after the deploy with `npx cdktf-togai put-api-key` (reads stdin).
 * const created = new TogaiApiKeySecret(stack, "TogaiKey", { createKmsKey: true });
 * new TogaiTokenRotation(stack, "TogaiToken", { apiKey: created });
 *
 * // Or a secret that already holds the key, adopted by its full ARN.
 * const adopted = TogaiApiKeySecret.fromSecretArn(
 *   stack,
 *   "SandboxKey",
 *   "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf",
 * );
 * new TogaiTokenRotation(stack, "SandboxToken", { apiKey: adopted });
 */
export class TogaiApiKeySecret extends Construct implements ITogaiApiKeySecret {
  /**
   * Adopts an existing secret that already holds Togai's secret key. Nothing is created; the
   * secret's resource policy stays where the secret is defined (see `addAllowedReader`).
   * @param scope the parent construct
   * @param id the construct id
   * @param secretArn the secret's full ARN (ending in the six random characters Secrets Manager appends)
   * @param options the secret's customer-managed KMS key, if any
   */
  static fromSecretArn(
    scope: Construct,
    id: string,
    secretArn: string,
    options: TogaiApiKeySecretFromArnOptions = {},
  ): ITogaiApiKeySecret {
    return new AdoptedTogaiApiKeySecret(scope, id, secretArn, options);
  }

  /** ARN of the secret. */
  readonly secretArn: string;
  /** Name of the secret. */
  readonly secretName: string;
  /** ARN of the customer-managed KMS key, when one is used. */
  readonly kmsKeyArn?: string;
  /** The created secret, unless adopted. */
  readonly secret?: SecretsmanagerSecret;
  /** The KMS key, when created here. */
  readonly kmsKey?: KmsKey;
  /** The version written from the ephemeral variable, when `valueFromEphemeralVariable`. */
  readonly deployTimeValue?: SecretsmanagerSecretVersion;
  /** The ephemeral variable, when `valueFromEphemeralVariable`. */
  readonly ephemeralVariable?: TerraformVariable;
  /** The resource policy, when `restrictRead` or `denyInsecureTransport`. */
  readonly resourcePolicy?: SecretsmanagerSecretPolicy;

  private readonly allowedReaders: string[] = [];

  constructor(scope: Construct, id: string, props: TogaiApiKeySecretProps = {}) {
    super(scope, id);
    validateApiKeySecretProps(this, props);

    if (props.existingSecretArn) {
      Annotations.of(this).addWarning(
        "existingSecretArn is deprecated and is removed in 0.3.0: adopt the secret with TogaiApiKeySecret.fromSecretArn(scope, id, arn, { kmsKeyArn }) under the same id, which keeps every resource address (an ephemeral value or a resource policy for an adopted secret is then managed where the secret is defined)",
      );
      this.secretArn = props.existingSecretArn;
      this.secretName = secretNameOf(this, "SecretName", props.existingSecretArn);
      this.kmsKeyArn = props.kmsKeyArn;
    } else {
      if (props.createKmsKey) {
        this.kmsKey = new KmsKey(this, "Key", {
          description: "Encrypts the Togai secret key in Secrets Manager",
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          tags: props.tags,
        });
      }
      this.kmsKeyArn = this.kmsKey?.arn ?? props.kmsKeyArn;
      this.secret = new SecretsmanagerSecret(this, "Secret", {
        name: props.secretName,
        namePrefix: props.secretName ? undefined : "togai-api-key-",
        description:
          props.description ??
          "Togai secret key (long-lived). Read only by the Togai token rotation function.",
        kmsKeyId: this.kmsKeyArn,
        recoveryWindowInDays: props.recoveryWindowInDays ?? 30,
        tags: props.tags,
      });
      this.secretArn = this.secret.arn;
      this.secretName = this.secret.name;
    }

    if (props.valueFromEphemeralVariable) {
      this.ephemeralVariable = new TerraformVariable(this, "Value", {
        type: "string",
        sensitive: true,
        nullable: false,
        description:
          "Togai secret key, written to Secrets Manager write-only (never in plan or state)",
      });
      // cdktf 0.21 has no `ephemeral` option yet; Terraform 1.10+ reads it from the JSON.
      this.ephemeralVariable.addOverride("ephemeral", true);
      this.ephemeralVariable.overrideLogicalId(props.ephemeralVariableName ?? "togai_api_key");
      this.deployTimeValue = new SecretsmanagerSecretVersion(this, "DeployTimeValue", {
        secretId: this.secretArn,
        secretStringWo: this.ephemeralVariable.stringValue,
        secretStringWoVersion: props.ephemeralValueVersion ?? 1,
      });
    }

    if (props.restrictRead || props.denyInsecureTransport) {
      this.allowedReaders.push(...(props.administratorArns ?? []));
      if (props.restrictRead && props.valueFromEphemeralVariable) {
        // The deployer's role (not its session) is what aws:PrincipalArn holds.
        const caller = new DataAwsCallerIdentity(this, "Deployer");
        this.allowedReaders.push(
          new DataAwsIamSessionContext(this, "DeployerRole", { arn: caller.arn }).issuerArn,
        );
      }
      this.resourcePolicy = new SecretsmanagerSecretPolicy(this, "Policy", {
        secretArn: this.secretArn,
        blockPublicPolicy: true,
        policy: Lazy.stringValue({
          produce: () =>
            JSON.stringify(
              apiKeySecretPolicy({
                secretArn: this.secretArn,
                allowedReaders: props.restrictRead ? this.allowedReaders : undefined,
                denyInsecureTransport: props.denyInsecureTransport ?? false,
              }),
            ),
        }),
      });
    }
  }

  /**
   * With `restrictRead`, lets `principalArn` read the key through the resource policy too.
   * `TogaiTokenRotation` calls it for its function's role; identity policies still decide. On a
   * secret adopted by ARN, whose policy is managed elsewhere, it says so at synth.
   */
  addAllowedReader(principalArn: string): void {
    if (!this.secret && !this.resourcePolicy && this.allowedReaders.length === 0) {
      announceAdoptedPolicy(this);
    }
    this.allowedReaders.push(principalArn);
  }
}
