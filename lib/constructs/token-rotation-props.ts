import type { ITogaiApiKeySecret } from "./api-key-secret-ref";

/** A region the token secret is replicated to, for consumers there. */
export interface TogaiReplicaRegion {
  /** AWS region, e.g. "eu-west-1". */
  readonly region: string;
  /** Customer-managed KMS key (key ARN, in that region) for the replica. @default the AWS managed key */
  readonly kmsKeyArn?: string;
}

/** Properties of {@link TogaiTokenRotation}. */
export interface TogaiTokenRotationProps {
  /**
   * The secret holding Togai's secret key: a `new TogaiApiKeySecret(...)`, or an existing secret
   * adopted with `TogaiApiKeySecret.fromSecretArn(scope, id, arn, { kmsKeyArn })`. Required (the
   * deprecated `apiKeySecretArn` aside).
   * @default none
   */
  readonly apiKey?: ITogaiApiKeySecret;
  /**
   * ARN of an existing secret holding Togai's secret key. Give this or `apiKey`.
   * @default none
   * @deprecated give `apiKey: TogaiApiKeySecret.fromSecretArn(this, "TogaiKey", arn, { kmsKeyArn })`,
   * which synthesizes the same resources; removed in 0.3.0.
   */
  readonly apiKeySecretArn?: string;
  /**
   * Customer-managed KMS key of the secret at `apiKeySecretArn`, so the function may decrypt it.
   * @default the AWS managed key (or `apiKey`'s key)
   * @deprecated give it to `TogaiApiKeySecret.fromSecretArn` as `kmsKeyArn`; removed in 0.3.0.
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
   * Hours between rotations, 4 to 11. Tokens live 24 h: a window in which every attempt failed
   * still leaves consumers a valid token (two such windows in a row at the default 6 h).
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
   * Togai API base URL: `TogaiBaseUrl.PRODUCTION` (https://api.togai.com), `TogaiBaseUrl.SANDBOX`
   * (https://sandbox-api.togai.com), or plain http on loopback for tests.
   * @default TogaiBaseUrl.PRODUCTION
   */
  readonly apiBaseUrl?: string;
  /** Least life, in hours, a new token must have to be accepted by testSecret (1 to 23). @default 20 */
  readonly minTokenLifeHours?: number;

  /** Name of the rotation function (and its log group). @default "togai-token-rotation-" + a hash of the construct path */
  readonly functionName?: string;
  /**
   * Lambda runtime: `TogaiLambdaRuntime.NODEJS_22_X` or `TogaiLambdaRuntime.NODEJS_20_X` (or
   * their values, "nodejs22.x" and "nodejs20.x").
   * @default TogaiLambdaRuntime.NODEJS_22_X
   */
  readonly runtime?: string;
  /** Lambda memory in MB, 128 to 10240. @default 256 */
  readonly memorySize?: number;
  /** Lambda timeout in seconds, 10 to 900; bounds Togai retries too. @default 60 */
  readonly timeoutSeconds?: number;
  /**
   * Instruction set: `TogaiLambdaArchitecture.ARM_64` or `TogaiLambdaArchitecture.X86_64` (or
   * their values, "arm64" and "x86_64").
   * @default TogaiLambdaArchitecture.ARM_64
   */
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
  /**
   * Declare Terraform outputs for what `cdktf-togai put-api-key` and `status` need:
   * `<id>_api_key_secret_arn`, `<id>_token_secret_arn`, `<id>_rotation_function_name` and
   * `<id>_rotation_function_arn`, where `<id>` is this construct's id as a Terraform identifier
   * (characters other than letters, digits, "_" and "-" become "_"). Read them with
   * `cdktf output` or `terraform output -raw <name>`.
   * @default true
   */
  readonly outputs?: boolean;
  /** Tags for every resource created. @default no tags */
  readonly tags?: { [key: string]: string };
}
