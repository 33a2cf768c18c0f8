import { Annotations } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { secretNameOf } from "./secret-name";
import { checkArn } from "./validation";

/**
 * A Secrets Manager secret holding Togai's secret key: one created by `new TogaiApiKeySecret`,
 * or an existing one adopted with `TogaiApiKeySecret.fromSecretArn`. What `TogaiTokenRotation`
 * takes as `apiKey`.
 */
export interface ITogaiApiKeySecret extends IConstruct {
  /** ARN of the secret (the full ARN, with Secrets Manager's random suffix). */
  readonly secretArn: string;
  /** Name of the secret, without the random suffix. */
  readonly secretName: string;
  /** ARN of the customer-managed KMS key the secret is encrypted with, when there is one. */
  readonly kmsKeyArn?: string;
  /**
   * Lets `principalArn` read the key as far as this construct decides the secret's resource
   * policy. `TogaiTokenRotation` calls it for its rotation function's role.
   */
  addAllowedReader(principalArn: string): void;
}

/** Options of `TogaiApiKeySecret.fromSecretArn`. */
export interface TogaiApiKeySecretFromArnOptions {
  /**
   * Customer-managed KMS key (key ARN) the adopted secret is encrypted with, so the rotation
   * function may decrypt it through Secrets Manager.
   * @default the AWS managed key `aws/secretsmanager`
   */
  readonly kmsKeyArn?: string;
}

/**
 * An existing secret adopted by ARN. Its resource policy stays where the secret is defined: this
 * construct writes none (a second policy resource would replace the owner's). A reader added with
 * `addAllowedReader` is therefore recorded in `allowedReaderArns` and announced at synth, so the
 * owner can allow it if their policy restricts reads; it is never dropped silently.
 */
export class AdoptedTogaiApiKeySecret extends Construct implements ITogaiApiKeySecret {
  readonly secretArn: string;
  readonly kmsKeyArn?: string;
  /** Principals that must be able to read the key, for the owner of the resource policy. */
  readonly allowedReaderArns: string[] = [];
  private name?: string;

  constructor(scope: Construct, id: string, arn: string, options: TogaiApiKeySecretFromArnOptions) {
    super(scope, id);
    checkArn(this, "secretArn", arn, "secret");
    checkArn(this, "kmsKeyArn", options.kmsKeyArn, "kmsKey");
    this.secretArn = arn;
    this.kmsKeyArn = options.kmsKeyArn;
  }

  /** The name, cut from the ARN (by Terraform, through a local, when only Terraform knows it). */
  get secretName(): string {
    this.name ??= secretNameOf(this, "SecretName", this.secretArn);
    return this.name;
  }

  addAllowedReader(principalArn: string): void {
    if (this.allowedReaderArns.length === 0) announceAdoptedPolicy(this);
    this.allowedReaderArns.push(principalArn);
  }
}

/** Says at synth that an adopted secret's resource policy must allow the rotation function. */
export function announceAdoptedPolicy(scope: IConstruct): void {
  Annotations.of(scope).addInfo(
    "this API-key secret was adopted by ARN, so its resource policy is managed where the secret is defined: if that policy restricts secretsmanager:GetSecretValue, allow the rotation function's role (TogaiTokenRotation.roleArn)",
  );
}
