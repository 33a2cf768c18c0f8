import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { AssetType, Fn, TerraformAsset, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import {
  DEFAULT_MIN_TOKEN_LIFE_HOURS,
  DEFAULT_ROTATION_INTERVAL_HOURS,
  MAX_ROTATION_INTERVAL_HOURS,
  MIN_ROTATION_INTERVAL_HOURS,
  ROTATION_ENV,
  TOGAI_PRODUCTION_BASE_URL,
  TOKEN_SECRET_ARN_ENV,
} from "../contract";
import type { TogaiApiKeySecret } from "./api-key-secret";
import { KeyChangeRotation } from "./key-change-rotation";
import {
  crossAccountReadPolicy,
  lambdaTrustPolicy,
  replicaReadStatements,
  rotationPolicy,
  tokenReadPolicy,
} from "./policies";
import { RotationAlerts } from "./rotation-alerts";
import { rotationBundle } from "./rotation-asset";
import {
  checkApiBaseUrl,
  checkArn,
  checkExactlyOne,
  checkIntegerRange,
  checkRecoveryWindow,
  TogaiValidationError,
} from "./validation";

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** Lambda runtimes this construct's bundle targets and provider 5.100 accepts. */
const SUPPORTED_RUNTIMES = ["nodejs20.x", "nodejs22.x"];

/** A region the token secret is replicated to, for consumers there. */
export interface TogaiReplicaRegion {
  /** AWS region, e.g. "eu-west-1". */
  readonly region: string;
  /** Customer-managed KMS key (key ARN, in that region) for the replica. @default the AWS managed key */
  readonly kmsKeyArn?: string;
}

/** Properties of {@link TogaiTokenRotation}. */
export interface TogaiTokenRotationProps {
  /** The secret holding Togai's secret key. Give this or `apiKeySecretArn`. @default none */
  readonly apiKey?: TogaiApiKeySecret;
  /** ARN of an existing secret holding Togai's secret key. Give this or `apiKey`. @default none */
  readonly apiKeySecretArn?: string;
  /**
   * Customer-managed KMS key of the secret at `apiKeySecretArn`, so the function may decrypt it.
   * @default the AWS managed key (or `apiKey`'s key)
   */
  readonly apiKeyKmsKeyArn?: string;

  /** Name of the token secret. @default a name starting with "togai-token-", chosen by Terraform */
  readonly tokenSecretName?: string;
  /** Customer-managed KMS key (key ARN) for the token secret. @default AWS managed key, unless `createKmsKey` */
  readonly kmsKeyArn?: string;
  /** Create a customer-managed KMS key for the token secret. @default false */
  readonly createKmsKey?: boolean;
  /** Recovery window of the token secret: 0 or 7 to 30 days. @default 7 */
  readonly recoveryWindowInDays?: number;

  /**
   * Hours between rotations, 4 to 12. Tokens live 24 h, so even two failed rotations in a row
   * leave consumers a valid token.
   * @default 6
   */
  readonly rotationIntervalHours?: number;
  /**
   * Rotate as soon as rotation is configured (mints the first token at deploy when the key is
   * already in place).
   * @default true
   */
  readonly rotateImmediately?: boolean;
  /**
   * Togai API base URL: `TOGAI_PRODUCTION_BASE_URL`, `TOGAI_SANDBOX_BASE_URL`, or plain http on
   * loopback for tests.
   * @default TOGAI_PRODUCTION_BASE_URL
   */
  readonly apiBaseUrl?: string;
  /** Least life, in hours, a new token must have to be accepted by testSecret (1 to 23). @default 20 */
  readonly minTokenLifeHours?: number;

  /** Name of the rotation function (and its log group). @default "togai-token-rotation-" + a hash of the construct path */
  readonly functionName?: string;
  /** Lambda runtime: nodejs20.x or nodejs22.x. @default "nodejs22.x" */
  readonly runtime?: string;
  /** Lambda memory in MB, 128 to 10240. @default 256 */
  readonly memorySize?: number;
  /** Lambda timeout in seconds, 10 to 900; bounds Togai retries too. @default 60 */
  readonly timeoutSeconds?: number;
  /** Instruction set: "arm64" or "x86_64". @default "arm64" */
  readonly architecture?: string;
  /** Subnets for the function (it must reach Togai: NAT or egress). @default not in a VPC */
  readonly vpcSubnetIds?: string[];
  /** Security groups for the function; required with `vpcSubnetIds`. @default none */
  readonly securityGroupIds?: string[];
  /** Reserved concurrency of the function. @default unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** KMS key (ARN) encrypting the function's environment variables. @default the Lambda service key */
  readonly environmentEncryptionKeyArn?: string;
  /** Retention of the function's log group, in days (a CloudWatch Logs value). @default 30 */
  readonly logRetentionDays?: number;

  /**
   * Principals of other accounts (account ids or role ARNs) allowed to read the token secret
   * through its resource policy. Requires `kmsKeyArn`, a key whose policy lets them decrypt.
   * @default no cross-account access
   */
  readonly crossAccountReadPrincipals?: string[];
  /**
   * Alerting: notify this existing SNS topic when a rotation fails or is abandoned, when the
   * function errs, and when no token has been minted for `tokenAgeAlarmHours`. The topic's policy
   * must let events.amazonaws.com and cloudwatch.amazonaws.com publish.
   * @default no alerting, unless `createAlarmTopic`
   */
  readonly alarmTopicArn?: string;
  /** Alerting as with `alarmTopicArn`, to an SNS topic created here. @default false */
  readonly createAlarmTopic?: boolean;
  /**
   * With alerting: hours without a successful rotation before the token-age alarm fires; more
   * than `rotationIntervalHours`, at most 23 (a token lives 24 h).
   * @default twice the rotation interval, at most 20
   */
  readonly tokenAgeAlarmHours?: number;
  /**
   * Rotate the token secret as soon as the API-key secret gets a new value (PutSecretValue or
   * UpdateSecret, seen through CloudTrail by EventBridge; needs a trail recording management
   * events). The first key put then mints the first token at once.
   * @default false
   */
  readonly rotateOnKeyChange?: boolean;
  /** Regions to replicate the token secret to; grants cover the replicas. @default none */
  readonly replicaRegions?: TogaiReplicaRegion[];
  /** Tags for every resource created. @default no tags */
  readonly tags?: { [key: string]: string };
}

/**
 * The token secret, the rotation function that mints Togai tokens into it, its least-privilege
 * role, log group, invoke permission and schedule; and `grantRead*` methods for consumers.
 *
 * Before the first rotation the token secret has no value: a consumer's read fails with a clear
 * "no token minted yet" error, never with something that looks like a token. The first token is
 * minted by the immediate rotation at deploy (when the key is already in place, e.g. from the
 * ephemeral variable) or by `cdktf-togai put-api-key --token-secret-id ...` right after the key
 * is put.
 */
export class TogaiTokenRotation extends Construct {
  /** The environment variable a consumer reads the token secret's ARN from. */
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
  /** The environment variable a consumer reads the token secret's ARN from. */
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
  private readonly grantedRoles = new Set<string | IamRole>();
  private grantCount = 0;

  constructor(scope: Construct, id: string, props: TogaiTokenRotationProps) {
    super(scope, id);
    this.validate(props);
    const tags = props.tags;
    const short = this.node.addr.slice(0, 10);
    this.region = new DataAwsRegion(this, "Region").name;

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
    // Created before the function, so Lambda never creates it without a retention.
    this.logGroup = new CloudwatchLogGroup(this, "Logs", {
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: props.logRetentionDays ?? 30,
      tags,
    });

    this.role = new IamRole(this, "Role", {
      name: `togai-token-rotation-${short}`,
      description: "Rotation function of a Togai token secret",
      assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()),
      tags,
    });
    this.roleArn = this.role.arn;
    props.apiKey?.addAllowedReader(this.role.arn);
    const policy = new IamRolePolicy(this, "RolePolicy", {
      name: "togai-token-rotation",
      role: this.role.name,
      policy: JSON.stringify(
        rotationPolicy({
          tokenSecretArn: this.tokenSecretArn,
          apiKeySecretArn,
          logGroupArn: this.logGroup.arn,
          region: this.region,
          tokenKmsKeyArn: this.tokenKmsKeyArn,
          apiKeyKmsKeyArn,
        }),
      ),
    });
    const vpcAccess = props.vpcSubnetIds
      ? new IamRolePolicyAttachment(this, "VpcAccess", {
          role: this.role.name,
          // Network interfaces cannot be scoped to a resource; AWS's managed policy is the norm.
          policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
        })
      : undefined;

    const bundle = rotationBundle();
    const asset = new TerraformAsset(this, "Code", { path: bundle.zipPath, type: AssetType.FILE });
    this.rotationFunction = new LambdaFunction(this, "Function", {
      functionName: this.functionName,
      description:
        "Mints Togai short-lived tokens into the token secret (Secrets Manager rotation)",
      role: this.role.arn,
      runtime: props.runtime ?? "nodejs22.x",
      architectures: [props.architecture ?? "arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: bundle.sourceCodeHash,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeoutSeconds ?? 60,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      kmsKeyArn: props.environmentEncryptionKeyArn,
      vpcConfig: props.vpcSubnetIds
        ? { subnetIds: props.vpcSubnetIds, securityGroupIds: props.securityGroupIds ?? [] }
        : undefined,
      environment: {
        variables: {
          [ROTATION_ENV.apiKeySecretArn]: apiKeySecretArn,
          [ROTATION_ENV.tokenSecretArn]: this.tokenSecretArn,
          [ROTATION_ENV.apiBaseUrl]: props.apiBaseUrl ?? TOGAI_PRODUCTION_BASE_URL,
          [ROTATION_ENV.minTokenLifeHours]: String(
            props.minTokenLifeHours ?? DEFAULT_MIN_TOKEN_LIFE_HOURS,
          ),
        },
      },
      tags,
      dependsOn: [this.logGroup, policy, ...(vpcAccess ? [vpcAccess] : [])],
    });
    this.functionArn = this.rotationFunction.arn;

    const permission = new LambdaPermission(this, "InvokeBySecretsManager", {
      functionName: this.rotationFunction.functionName,
      action: "lambda:InvokeFunction",
      principal: "secretsmanager.amazonaws.com",
      sourceArn: this.tokenSecretArn,
    });

    if (props.crossAccountReadPrincipals?.length) {
      new SecretsmanagerSecretPolicy(this, "CrossAccountRead", {
        secretArn: this.tokenSecretArn,
        policy: JSON.stringify(
          crossAccountReadPolicy(this.tokenSecretArn, props.crossAccountReadPrincipals),
        ),
        blockPublicPolicy: true,
      });
    }

    const keyValue = props.apiKey?.deployTimeValue;
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

    if (props.rotateOnKeyChange) {
      new KeyChangeRotation(this, "RotateOnKeyChange", {
        apiKeySecretArn,
        apiKeySecretName: props.apiKey?.secretName ?? this.apiKeyNameFromArn(apiKeySecretArn),
        tokenSecretArn: this.tokenSecretArn,
        functionArn: this.rotationFunction.arn,
        functionName: this.functionName,
        roleName: this.role.name,
        tags,
      });
    }
  }

  /** Lets `role` read the token secret (never the API-key secret). */
  grantRead(role: IamRole): void {
    if (this.grantedRoles.has(role)) return;
    this.grantedRoles.add(role);
    this.addReadGrant(role.name);
  }

  /** Lets the role named `roleName` read the token secret. */
  grantReadToRoleName(roleName: string): void {
    // Literal names are granted once; a token cannot be compared before Terraform resolves it.
    if (!Token.isUnresolved(roleName)) {
      if (this.grantedRoles.has(roleName)) return;
      this.grantedRoles.add(roleName);
    }
    this.addReadGrant(roleName);
  }

  private addReadGrant(roleName: string): void {
    this.grantCount++;
    new IamRolePolicy(this, `ReadGrant${this.grantCount}`, {
      name: `togai-token-read-${this.node.addr.slice(0, 10)}`,
      role: roleName,
      policy: JSON.stringify(
        tokenReadPolicy(
          this.tokenSecretArn,
          this.region,
          this.tokenKmsKeyArn,
          replicaReadStatements(this.replicas),
        ),
      ),
    });
  }

  /** Lets the role with ARN `roleArn` (same account) read the token secret. */
  grantReadToRoleArn(roleArn: string): void {
    checkArn(this, "roleArn", roleArn, "role");
    const name = Token.isUnresolved(roleArn)
      ? Fn.element(Fn.reverse(Fn.split("/", roleArn)), 0)
      : (roleArn.split("/").pop() as string);
    this.grantReadToRoleName(name);
  }

  /**
   * Lets `fn`'s execution role read the token secret and sets the token secret's ARN in its
   * environment as `TOGAI_TOKEN_SECRET_ARN`, where `TogaiTokenProvider.fromEnvironment()` finds it.
   */
  grantReadToFunction(fn: LambdaFunction): void {
    this.grantReadToRoleArn(fn.role);
    fn.addOverride(`environment.variables.${TOKEN_SECRET_ARN_ENV}`, this.tokenSecretArn);
  }

  private validate(props: TogaiTokenRotationProps): void {
    checkExactlyOne(this, ["apiKey", props.apiKey], ["apiKeySecretArn", props.apiKeySecretArn]);
    checkArn(this, "apiKeySecretArn", props.apiKeySecretArn, "secret");
    checkArn(this, "apiKeyKmsKeyArn", props.apiKeyKmsKeyArn, "kmsKey");
    checkArn(this, "kmsKeyArn", props.kmsKeyArn, "kmsKey");
    checkArn(this, "environmentEncryptionKeyArn", props.environmentEncryptionKeyArn, "kmsKey");
    if (props.apiKey && props.apiKeyKmsKeyArn) {
      throw new TogaiValidationError(
        this,
        "apiKeyKmsKeyArn applies only with apiKeySecretArn; apiKey already knows its key",
      );
    }
    if (props.kmsKeyArn && props.createKmsKey) {
      throw new TogaiValidationError(this, "give kmsKeyArn or createKmsKey, not both");
    }
    checkRecoveryWindow(this, props.recoveryWindowInDays);
    const interval = props.rotationIntervalHours;
    if (interval !== undefined && !Token.isUnresolved(interval)) {
      if (
        !Number.isInteger(interval) ||
        interval < MIN_ROTATION_INTERVAL_HOURS ||
        interval > MAX_ROTATION_INTERVAL_HOURS
      ) {
        throw new TogaiValidationError(
          this,
          `rotationIntervalHours must be a whole number from ${MIN_ROTATION_INTERVAL_HOURS} to ${MAX_ROTATION_INTERVAL_HOURS} hours, got ${interval} (Secrets Manager needs at least 4; tokens live 24 h, so more than 12 could let two failed rotations expire them)`,
        );
      }
    }
    checkApiBaseUrl(this, props.apiBaseUrl);
    checkIntegerRange(this, "minTokenLifeHours", props.minTokenLifeHours, 1, 23, "hours");
    checkIntegerRange(this, "memorySize", props.memorySize, 128, 10240, "MB");
    checkIntegerRange(this, "timeoutSeconds", props.timeoutSeconds, 10, 900, "seconds");
    checkIntegerRange(
      this,
      "reservedConcurrentExecutions",
      props.reservedConcurrentExecutions,
      1,
      1000,
      "executions",
    );
    if (
      props.logRetentionDays !== undefined &&
      !LOG_RETENTION_DAYS.includes(props.logRetentionDays)
    ) {
      throw new TogaiValidationError(
        this,
        `logRetentionDays must be one of CloudWatch Logs' values (${LOG_RETENTION_DAYS.join(", ")}), got ${props.logRetentionDays}`,
      );
    }
    if (props.runtime !== undefined && !SUPPORTED_RUNTIMES.includes(props.runtime)) {
      throw new TogaiValidationError(
        this,
        `runtime must be one of ${SUPPORTED_RUNTIMES.join(", ")}, got "${props.runtime}"`,
      );
    }
    if (props.architecture !== undefined && !["arm64", "x86_64"].includes(props.architecture)) {
      throw new TogaiValidationError(
        this,
        `architecture must be "arm64" or "x86_64", got "${props.architecture}"`,
      );
    }
    if (props.functionName !== undefined && !/^[a-zA-Z0-9_-]{1,64}$/.test(props.functionName)) {
      throw new TogaiValidationError(
        this,
        `functionName must be 1 to 64 letters, digits, - or _, got "${props.functionName}"`,
      );
    }
    if (Boolean(props.vpcSubnetIds?.length) !== Boolean(props.securityGroupIds?.length)) {
      throw new TogaiValidationError(
        this,
        "give vpcSubnetIds and securityGroupIds together (a function in a VPC needs both)",
      );
    }
    this.validateOperations(props);
    for (const principal of props.crossAccountReadPrincipals ?? []) {
      checkArn(this, "crossAccountReadPrincipals", principal, "principal");
    }
    if (props.crossAccountReadPrincipals?.length && !props.kmsKeyArn) {
      throw new TogaiValidationError(
        this,
        "crossAccountReadPrincipals needs kmsKeyArn: other accounts cannot decrypt with the AWS managed key, so give a customer-managed key whose key policy lets them decrypt through Secrets Manager",
      );
    }
  }

  /** The key secret's name, for callers that name it instead of giving its ARN. */
  private apiKeyNameFromArn(arn: string): string {
    if (!Token.isUnresolved(arn)) return arn.split(":")[6].replace(/-[A-Za-z0-9]{6}$/, "");
    // A local keeps the expression (and its quotes) out of the JSON event pattern.
    return new TerraformLocal(
      this,
      "ApiKeySecretName",
      Fn.replace(Fn.element(Fn.split(":", arn), 6), "/-[A-Za-z0-9]{6}$/", ""),
    ).asString;
  }

  private validateOperations(props: TogaiTokenRotationProps): void {
    if (props.alarmTopicArn && props.createAlarmTopic) {
      throw new TogaiValidationError(this, "give alarmTopicArn or createAlarmTopic, not both");
    }
    checkArn(this, "alarmTopicArn", props.alarmTopicArn, "snsTopic");
    const alerting = Boolean(props.alarmTopicArn || props.createAlarmTopic);
    if (props.tokenAgeAlarmHours !== undefined && !alerting) {
      throw new TogaiValidationError(
        this,
        "tokenAgeAlarmHours needs alerting: give alarmTopicArn or createAlarmTopic",
      );
    }
    const interval = props.rotationIntervalHours ?? DEFAULT_ROTATION_INTERVAL_HOURS;
    if (!Token.isUnresolved(interval)) {
      checkIntegerRange(
        this,
        "tokenAgeAlarmHours",
        props.tokenAgeAlarmHours,
        interval + 1,
        23,
        `hours (more than the ${interval} h rotation interval, less than a token's 24 h)`,
      );
    }
    const seen = new Set<string>();
    for (const replica of props.replicaRegions ?? []) {
      if (Token.isUnresolved(replica.region)) continue;
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(replica.region)) {
        throw new TogaiValidationError(
          this,
          `replicaRegions holds "${replica.region}", which is not an AWS region such as eu-west-1`,
        );
      }
      if (seen.has(replica.region)) {
        throw new TogaiValidationError(this, `replicaRegions names ${replica.region} twice`);
      }
      seen.add(replica.region);
      checkArn(this, `replicaRegions[${replica.region}].kmsKeyArn`, replica.kmsKeyArn, "kmsKey");
      const keyRegion =
        replica.kmsKeyArn && !Token.isUnresolved(replica.kmsKeyArn)
          ? replica.kmsKeyArn.split(":")[3]
          : undefined;
      if (keyRegion && keyRegion !== replica.region) {
        throw new TogaiValidationError(
          this,
          `replicaRegions[${replica.region}].kmsKeyArn is a key in ${keyRegion}: a replica needs a key in its own region`,
        );
      }
    }
  }
}
