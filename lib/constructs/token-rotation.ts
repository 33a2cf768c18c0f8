import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { Annotations, Fn, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { DEFAULT_ROTATION_INTERVAL_HOURS, TOKEN_SECRET_ARN_ENV } from "../contract";
import { TogaiApiKeySecret } from "./api-key-secret";
import { ReadGrants, type TogaiReadGrant } from "./grants";
import { KeyChangeRotation } from "./key-change-rotation";
import { crossAccountReadPolicy, replicaReadStatements, tokenReadPolicy } from "./policies";
import { regionNameOf } from "./region-name";
import { RotationAlerts } from "./rotation-alerts";
import { createRotationFunction } from "./rotation-function";
import { declareRotationOutputs } from "./rotation-outputs";
import { secretNameOf } from "./secret-name";
import type { TogaiTokenRotationProps } from "./token-rotation-props";
import { checkArn, validateTokenRotationProps } from "./validation";

export type { TogaiReplicaRegion, TogaiTokenRotationProps } from "./token-rotation-props";

/**
 * The token secret, the rotation function that mints Togai tokens into it, its least-privilege
 * role, log group, invoke permission and schedule; and `grantRead*` methods for consumers.
 *
 * Before the first rotation the token secret has no value: a consumer's read fails with a clear
 * "no token minted yet" error, never with something that looks like a token. The first token is
 * minted by the immediate rotation at deploy (when the key is already in place, e.g. from the
 * ephemeral variable) or by `cdktf-togai put-api-key --token-secret-id ...` right after the key
 * is put.
 *
 * @example
 * import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
 * import { TerraformStack } from "cdktf";
 * import { TogaiApiKeySecret, TogaiBaseUrl, TogaiTokenRotation } from "cdktf-togai";
 *
 * declare const stack: TerraformStack;
 * declare const usageReporter: LambdaFunction;
 *
 * const apiKey = new TogaiApiKeySecret(stack, "TogaiKey");
 * const tokens = new TogaiTokenRotation(stack, "TogaiToken", {
 *   apiKey,
 *   apiBaseUrl: TogaiBaseUrl.SANDBOX,
 *   rotationIntervalHours: 6,
 * });
 * // Read access to the token (never the key), and TOGAI_TOKEN_SECRET_ARN in its environment.
 * tokens.grantReadToFunction(usageReporter);
 */
export class TogaiTokenRotation extends Construct {
  /**
   * The environment variable a consumer reads the token secret's ARN from.
   * @deprecated read `TogaiEnvironment.TOKEN_SECRET_ARN`; removed in 0.3.0.
   */
  static readonly TOKEN_SECRET_ARN_ENV = TOKEN_SECRET_ARN_ENV;

  /** ARN of the token secret. */
  readonly tokenSecretArn: string;
  /** Name of the token secret. */
  readonly tokenSecretName: string;
  /** ARN of the token secret's customer-managed KMS key, when one is used. */
  readonly tokenKmsKeyArn?: string;
  /** ARN of the rotation function. */
  readonly functionArn: string;
  /** Name of the rotation function. */
  readonly functionName: string;
  /** ARN of the rotation function's role. */
  readonly roleArn: string;
  /**
   * The environment variable a consumer reads the token secret's ARN from.
   * @deprecated read `TogaiEnvironment.TOKEN_SECRET_ARN`; removed in 0.3.0.
   */
  readonly tokenSecretArnEnvironmentVariable = TOKEN_SECRET_ARN_ENV;
  /** ARNs of the token secret's replicas, in `replicaRegions` order. */
  readonly replicaTokenSecretArns: string[];
  /** The SNS topic alerts go to, when alerting is on. */
  readonly alarmTopicArn?: string;
  /** The alerts, when alerting is on. */
  readonly alerts?: RotationAlerts;

  /** The underlying resources, for customisation. */
  readonly tokenSecret: SecretsmanagerSecret;
  readonly rotationFunction: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly rotation: SecretsmanagerSecretRotation;

  private readonly region: string;
  private readonly replicas: Array<{ arn: string; region: string; kmsKeyArn?: string }>;
  private readonly grants: ReadGrants;

  constructor(scope: Construct, id: string, props: TogaiTokenRotationProps) {
    super(scope, id);
    validateTokenRotationProps(this, props);
    const tags = props.tags;
    const short = this.node.addr.slice(0, 10);
    this.region = regionNameOf(new DataAwsRegion(this, "Region"));

    if (props.apiKeySecretArn !== undefined || props.apiKeyKmsKeyArn !== undefined) {
      Annotations.of(this).addWarning(
        "apiKeySecretArn and apiKeyKmsKeyArn are deprecated and are removed in 0.3.0: give apiKey: TogaiApiKeySecret.fromSecretArn(scope, id, arn, { kmsKeyArn }), which keeps every resource address",
      );
    }
    const apiKeySecretArn = props.apiKey?.secretArn ?? (props.apiKeySecretArn as string);
    const apiKeyKmsKeyArn = props.apiKey?.kmsKeyArn ?? props.apiKeyKmsKeyArn;

    const kmsKey = props.createKmsKey
      ? new KmsKey(this, "Key", {
          description: "Encrypts the Togai token secret",
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          tags,
        })
      : undefined;
    this.tokenKmsKeyArn = kmsKey?.arn ?? props.kmsKeyArn;

    // No initial version on purpose: until the first rotation a read fails with "no value",
    // which the runtime reports as "no token minted yet"; a placeholder value could be mistaken
    // for a token, and Terraform would fight the rotation over it.
    this.tokenSecret = new SecretsmanagerSecret(this, "TokenSecret", {
      name: props.tokenSecretName,
      namePrefix: props.tokenSecretName ? undefined : "togai-token-",
      description: "Togai short-lived token (24 h), rotated by the Togai token rotation function",
      kmsKeyId: this.tokenKmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowInDays ?? 7,
      replica: props.replicaRegions?.map((r) => ({ region: r.region, kmsKeyId: r.kmsKeyArn })),
      tags,
    });
    this.tokenSecretArn = this.tokenSecret.arn;
    this.tokenSecretName = this.tokenSecret.name;
    // A replica's ARN is the primary's with the replica's region.
    const arnParts = Fn.split(":", this.tokenSecretArn);
    // Locals keep these expressions out of the JSON policies that name the replicas.
    this.replicas = (props.replicaRegions ?? []).map((r, i) => ({
      region: r.region,
      kmsKeyArn: r.kmsKeyArn,
      arn: new TerraformLocal(
        this,
        `ReplicaArn${i}`,
        Fn.join(":", [
          Fn.element(arnParts, 0),
          Fn.element(arnParts, 1),
          "secretsmanager",
          r.region,
          Fn.element(arnParts, 4),
          "secret",
          Fn.element(arnParts, 6),
        ]),
      ).asString,
    }));
    this.replicaTokenSecretArns = this.replicas.map((r) => r.arn);

    this.functionName = props.functionName ?? `togai-token-rotation-${short}`;
    const fn = createRotationFunction(this, {
      props,
      functionName: this.functionName,
      short,
      region: this.region,
      tokenSecretArn: this.tokenSecretArn,
      tokenKmsKeyArn: this.tokenKmsKeyArn,
      apiKeySecretArn,
      apiKeyKmsKeyArn,
    });
    this.logGroup = fn.logGroup;
    this.role = fn.role;
    this.roleArn = this.role.arn;
    // Adopted by the deprecated ARN prop: announced like any adopted secret, never skipped.
    (
      props.apiKey ?? TogaiApiKeySecret.fromSecretArn(this, "ApiKey", apiKeySecretArn)
    ).addAllowedReader(this.role.arn);
    this.rotationFunction = fn.fn;
    this.functionArn = this.rotationFunction.arn;
    const policy = fn.rolePolicy;
    const permission = fn.invokePermission;
    this.grants = new ReadGrants(
      this,
      `togai-token-reader-${short}`,
      () =>
        tokenReadPolicy(
          this.tokenSecretArn,
          this.region,
          this.tokenKmsKeyArn,
          replicaReadStatements(this.replicas),
        ).Statement,
    );

    if (props.crossAccountReadPrincipals?.length) {
      new SecretsmanagerSecretPolicy(this, "CrossAccountRead", {
        secretArn: this.tokenSecretArn,
        policy: JSON.stringify(
          crossAccountReadPolicy(this.tokenSecretArn, props.crossAccountReadPrincipals),
        ),
        blockPublicPolicy: true,
      });
    }

    const keyValue =
      props.apiKey instanceof TogaiApiKeySecret ? props.apiKey.deployTimeValue : undefined;
    this.rotation = new SecretsmanagerSecretRotation(this, "Rotation", {
      secretId: this.tokenSecretArn,
      rotationLambdaArn: this.rotationFunction.arn,
      rotationRules: {
        scheduleExpression: `rate(${props.rotationIntervalHours ?? DEFAULT_ROTATION_INTERVAL_HOURS} hours)`,
      },
      rotateImmediately: props.rotateImmediately ?? true,
      // The immediate rotation needs the permission, the role's policy and (if put at deploy) the key.
      dependsOn: [permission, policy, ...(keyValue ? [keyValue] : [])],
    });

    if (props.alarmTopicArn || props.createAlarmTopic) {
      const interval = props.rotationIntervalHours ?? DEFAULT_ROTATION_INTERVAL_HOURS;
      this.alerts = new RotationAlerts(this, "Alerts", {
        tokenSecretArn: this.tokenSecretArn,
        tokenSecretName: this.tokenSecretName,
        functionName: this.functionName,
        topicArn: props.alarmTopicArn,
        tokenAgeAlarmHours: props.tokenAgeAlarmHours ?? Math.min(2 * interval, 20),
        tags,
      });
      this.alarmTopicArn = this.alerts.topicArn;
    }

    if (props.outputs ?? true) {
      declareRotationOutputs(this, {
        apiKeySecretArn,
        tokenSecretArn: this.tokenSecretArn,
        functionName: this.functionName,
        functionArn: this.functionArn,
      });
    }

    if (props.rotateOnKeyChange) {
      new KeyChangeRotation(this, "RotateOnKeyChange", {
        apiKeySecretArn,
        apiKeySecretName:
          props.apiKey?.secretName ?? secretNameOf(this, "ApiKeySecretName", apiKeySecretArn),
        functionArn: this.rotationFunction.arn,
        functionName: this.functionName,
        tags,
      });
    }
  }

  /**
   * Lets `role` read the token secret (never the API-key secret). Every grant to one role lands
   * in one inline policy; the returned grant names it.
   */
  grantRead(role: IamRole): TogaiReadGrant {
    return this.grants.toRole(role);
  }

  /** Lets the role named `roleName` read the token secret. */
  grantReadToRoleName(roleName: string): TogaiReadGrant {
    return this.grants.toRoleName(roleName);
  }

  /** Lets the role with ARN `roleArn` (same account) read the token secret. */
  grantReadToRoleArn(roleArn: string): TogaiReadGrant {
    checkArn(this, "roleArn", roleArn, "role");
    return this.grants.toRoleArn(roleArn);
  }

  /**
   * Lets `fn`'s execution role read the token secret and sets the token secret's ARN in its
   * environment as `TOGAI_TOKEN_SECRET_ARN`, where `TogaiTokenProvider.fromEnvironment()` finds it.
   * A role defined in this app shares its policy with `grantRead(role)`.
   */
  grantReadToFunction(fn: LambdaFunction): TogaiReadGrant {
    // The role as the function was given it (a reference to a role object when there is one).
    const grant = this.grantReadToRoleArn(fn.roleInput ?? fn.role);
    fn.addOverride(`environment.variables.${TOKEN_SECRET_ARN_ENV}`, this.tokenSecretArn);
    return grant;
  }
}
