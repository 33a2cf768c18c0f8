/**
 * IAM policy documents as pure functions of ARNs, so that they are easy to test and to simulate.
 * No statement names `*` as a resource: every grant names the one secret or key it is for, and
 * KMS use is allowed only through Secrets Manager, for that one secret.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

/** What a consumer of the token may do to its secret: read it, never write it. */
const TOKEN_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"];

/** What the rotation function needs on the token secret (rule 15 of docs/rotation-protocol.md). */
const TOKEN_ROTATE_ACTIONS = [
  "secretsmanager:DescribeSecret",
  "secretsmanager:GetSecretValue",
  "secretsmanager:PutSecretValue",
  "secretsmanager:UpdateSecretVersionStage",
];

/** KMS use through Secrets Manager only, and only for one secret's encryption context. */
function kmsThroughSecretsManager(
  sid: string,
  kmsKeyArn: string,
  secretArn: string,
  region: string,
  actions: string[],
): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: kmsKeyArn,
    Condition: {
      StringEquals: {
        "kms:ViaService": `secretsmanager.${region}.amazonaws.com`,
        "kms:EncryptionContext:SecretARN": secretArn,
      },
    },
  };
}

/** A consumer's read access to the token secret (and its CMK through Secrets Manager). */
export function tokenReadPolicy(
  tokenSecretArn: string,
  region: string,
  kmsKeyArn?: string,
  extra: PolicyStatement[] = [],
): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadTogaiToken",
      Effect: "Allow",
      Action: TOKEN_READ_ACTIONS,
      Resource: tokenSecretArn,
    },
  ];
  if (kmsKeyArn) {
    statements.push(
      kmsThroughSecretsManager(
        "DecryptTogaiTokenViaSecretsManager",
        kmsKeyArn,
        tokenSecretArn,
        region,
        ["kms:Decrypt"],
      ),
    );
  }
  return { Version: "2012-10-17", Statement: [...statements, ...extra] };
}

export interface RotationPolicyInput {
  readonly tokenSecretArn: string;
  /** The rotation function's own ARN (RotateSecret requires the caller to be allowed to invoke it). */
  readonly functionArn: string;
  readonly apiKeySecretArn: string;
  readonly logGroupArn: string;
  readonly region: string;
  readonly tokenKmsKeyArn?: string;
  readonly apiKeyKmsKeyArn?: string;
}

/** The rotation function's permissions (rule 15 of docs/rotation-protocol.md), nothing on `*`. */
export function rotationPolicy(input: RotationPolicyInput): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "RotateTogaiToken",
      Effect: "Allow",
      Action: TOKEN_ROTATE_ACTIONS,
      Resource: input.tokenSecretArn,
    },
    // The function starts a fresh rotation itself: at once when a re-attempted version's token
    // has aged (so healing costs no interval), and after a key change. RotateSecret requires
    // the caller to be allowed to invoke the rotation function; only its own ARN is named.
    {
      Sid: "StartTogaiTokenRotation",
      Effect: "Allow",
      Action: "secretsmanager:RotateSecret",
      Resource: input.tokenSecretArn,
    },
    {
      Sid: "InvokeOwnFunctionForRotateSecret",
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: input.functionArn,
    },
    {
      Sid: "ReadTogaiApiKey",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: input.apiKeySecretArn,
    },
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${input.logGroupArn}:*`,
    },
  ];
  if (input.tokenKmsKeyArn) {
    statements.push(
      kmsThroughSecretsManager(
        "UseTokenKeyViaSecretsManager",
        input.tokenKmsKeyArn,
        input.tokenSecretArn,
        input.region,
        ["kms:Decrypt", "kms:GenerateDataKey"],
      ),
    );
  }
  if (input.apiKeyKmsKeyArn) {
    statements.push(
      kmsThroughSecretsManager(
        "DecryptApiKeyViaSecretsManager",
        input.apiKeyKmsKeyArn,
        input.apiKeySecretArn,
        input.region,
        ["kms:Decrypt"],
      ),
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy: only the Lambda service may assume the rotation role. */
export function lambdaTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } },
    ],
  };
}

/** Resource policy of the token secret that lets other accounts' principals read it. */
export function crossAccountReadPolicy(
  tokenSecretArn: string,
  principals: string[],
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CrossAccountReadTogaiToken",
        Effect: "Allow",
        Principal: { AWS: principals },
        Action: TOKEN_READ_ACTIONS,
        Resource: tokenSecretArn,
      },
    ],
  };
}

/** Resource policy of the API-key secret: who may read the key at all, and TLS only. */
export function apiKeySecretPolicy(input: {
  secretArn: string;
  /** When given, GetSecretValue is denied to every principal not in this list. */
  allowedReaders?: string[];
  denyInsecureTransport: boolean;
}): PolicyDocument {
  const statements: PolicyStatement[] = [];
  if (input.allowedReaders) {
    statements.push({
      Sid: "DenyReadingTheKeyExceptRotationAndAdministrators",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "secretsmanager:GetSecretValue",
      Resource: input.secretArn,
      Condition: { ArnNotEquals: { "aws:PrincipalArn": input.allowedReaders } },
    });
  }
  if (input.denyInsecureTransport) {
    statements.push({
      Sid: "DenyWithoutTls",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "secretsmanager:*",
      Resource: input.secretArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Read access to token secret replicas, and decrypt through Secrets Manager in each region. */
export function replicaReadStatements(
  replicas: Array<{ arn: string; region: string; kmsKeyArn?: string }>,
): PolicyStatement[] {
  if (replicas.length === 0) return [];
  return [
    {
      Sid: "ReadTogaiTokenReplicas",
      Effect: "Allow",
      Action: TOKEN_READ_ACTIONS,
      Resource: replicas.map((r) => r.arn),
    },
    // Scoped to the key and to Secrets Manager in that region (a replica's encryption context is
    // not documented, so it is not pinned here).
    ...replicas
      .filter((r) => r.kmsKeyArn)
      .map(
        (r, i): PolicyStatement => ({
          Sid: `DecryptTogaiTokenReplica${i}`,
          Effect: "Allow",
          Action: ["kms:Decrypt"],
          Resource: r.kmsKeyArn as string,
          Condition: {
            StringEquals: { "kms:ViaService": `secretsmanager.${r.region}.amazonaws.com` },
          },
        }),
      ),
  ];
}
