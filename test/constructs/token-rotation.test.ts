import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { TerraformStack } from "cdktf";
import {
  TOGAI_SANDBOX_BASE_URL,
  TOKEN_SECRET_ARN_ENV,
  TogaiApiKeySecret,
  TogaiTokenRotation,
  type TogaiTokenRotationProps,
} from "../../lib";
import { rotationBundle } from "../../lib/constructs/rotation-asset";
import { onlyResource, resourcesOf, synthStack, type TfJson } from "../support/synth";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";
const KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function synthRotation(
  props: Partial<TogaiTokenRotationProps> = {},
  extra?: (s: TerraformStack, r: TogaiTokenRotation) => void,
) {
  return synthStack((stack) => {
    const rotation = new TogaiTokenRotation(stack, "Tokens", {
      apiKeySecretArn: KEY_ARN,
      ...props,
    });
    extra?.(stack, rotation);
  });
}

const policyOf = (resource: TfJson | undefined) => JSON.parse(resource?.policy);

describe("TogaiTokenRotation defaults", () => {
  const json = synthRotation();

  test("token secret: no initial value, 7-day recovery, AWS managed key", () => {
    const secret = onlyResource(json, "aws_secretsmanager_secret");
    expect(secret.name_prefix).toBe("togai-token-");
    expect(secret.recovery_window_in_days).toBe(7);
    expect(secret.kms_key_id).toBeUndefined();
    expect(resourcesOf(json, "aws_secretsmanager_secret_version")).toEqual([]);
  });

  test("rotation: rate(6 hours), immediately, after the permission and the role policy", () => {
    const rotation = onlyResource(json, "aws_secretsmanager_secret_rotation");
    expect(rotation.rotation_rules).toEqual({ schedule_expression: "rate(6 hours)" });
    expect(rotation.rotate_immediately).toBe(true);
    expect(rotation.rotation_lambda_arn).toMatch(/^\$\{aws_lambda_function\..+\.arn\}$/);
    expect(rotation.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_lambda_permission\./),
        expect.stringMatching(/^aws_iam_role_policy\./),
      ]),
    );
  });

  test("function: nodejs22.x, arm64, 256 MB, 60 s, the bundle's hash, the contract's environment", () => {
    const fn = onlyResource(json, "aws_lambda_function");
    expect(fn).toMatchObject({
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memory_size: 256,
      timeout: 60,
      handler: "index.handler",
      source_code_hash: rotationBundle().sourceCodeHash,
    });
    expect(fn.function_name).toMatch(/^togai-token-rotation-[0-9a-f]{10}$/);
    expect(fn.filename).toMatch(/^assets\/.+\/rotation-function\.zip$/);
    expect(fn.reserved_concurrent_executions).toBeUndefined();
    expect(fn.vpc_config).toBeUndefined();
    expect(fn.kms_key_arn).toBeUndefined();
    expect(fn.environment.variables).toEqual({
      TOGAI_API_KEY_SECRET_ARN: KEY_ARN,
      TOGAI_TOKEN_SECRET_ARN: expect.stringMatching(/aws_secretsmanager_secret\..+\.arn/),
      TOGAI_API_BASE_URL: "https://api.togai.com",
      TOGAI_MIN_TOKEN_LIFE_HOURS: "20",
    });
    expect(fn.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_cloudwatch_log_group\./)]),
    );
  });

  test("log group named after the function, 30-day retention", () => {
    const fn = onlyResource(json, "aws_lambda_function");
    const logs = onlyResource(json, "aws_cloudwatch_log_group");
    expect(logs.name).toBe(`/aws/lambda/${fn.function_name}`);
    expect(logs.retention_in_days).toBe(30);
  });

  test("invoke permission for Secrets Manager, scoped to the token secret", () => {
    const permission = onlyResource(json, "aws_lambda_permission");
    expect(permission).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "secretsmanager.amazonaws.com",
    });
    expect(permission.source_arn).toMatch(/^\$\{aws_secretsmanager_secret\..+\.arn\}$/);
  });

  test("role: Lambda trust only; rule 15's actions, each on one resource", () => {
    const role = onlyResource(json, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } },
    ]);
    const policy = policyOf(onlyResource(json, "aws_iam_role_policy"));
    const bySid = Object.fromEntries(policy.Statement.map((s: { Sid: string }) => [s.Sid, s]));
    expect(bySid.RotateTogaiToken.Action).toEqual([
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
      "secretsmanager:UpdateSecretVersionStage",
    ]);
    expect(bySid.ReadTogaiApiKey).toMatchObject({
      Action: "secretsmanager:GetSecretValue",
      Resource: KEY_ARN,
    });
    expect(bySid.WriteOwnLogs.Resource).toMatch(/aws_cloudwatch_log_group\..+\.arn\}:\*$/);
    // Starting a fresh rotation (self-healing, key change): RotateSecret on the token secret only,
    // and invoking the function itself only, whose ARN is built without referencing it (a cycle).
    expect(bySid.StartTogaiTokenRotation).toEqual({
      Sid: "StartTogaiTokenRotation",
      Effect: "Allow",
      Action: "secretsmanager:RotateSecret",
      Resource: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}$/),
    });
    expect(bySid.InvokeOwnFunctionForRotateSecret).toEqual({
      Sid: "InvokeOwnFunctionForRotateSecret",
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: expect.stringMatching(/^\$\{local\.[^}]+\}$/),
    });
    const fnArn = Object.values(json.locals as Record<string, string>).find((v) =>
      v.includes('"lambda"'),
    );
    expect(fnArn).toMatch(
      /^\$\{join\(":", \["arn", element\(split\(":", aws_secretsmanager_secret\..+\.arn\), 1\), "lambda", element\(.+, 3\), element\(.+, 4\), "function", "togai-token-rotation-.+"\]\)\}$/,
    );
    expect(JSON.stringify(policy)).not.toMatch(/"Resource":"\*"|kms:/);
  });

  test("the consumer env var name comes from the contract", () => {
    synthStack((stack) => {
      const r = new TogaiTokenRotation(stack, "T", { apiKeySecretArn: KEY_ARN });
      expect(r.tokenSecretArnEnvironmentVariable).toBe(TOKEN_SECRET_ARN_ENV);
      expect(TogaiTokenRotation.TOKEN_SECRET_ARN_ENV).toBe("TOGAI_TOKEN_SECRET_ARN");
      for (const value of [
        r.tokenSecretArn,
        r.tokenSecretName,
        r.functionArn,
        r.functionName,
        r.roleArn,
      ]) {
        expect(typeof value).toBe("string");
      }
    });
  });
});

describe("TogaiTokenRotation props", () => {
  test("every function setting reaches the synthesized function", () => {
    const json = synthRotation({
      functionName: "billing-togai-rotation",
      runtime: "nodejs20.x",
      architecture: "x86_64",
      memorySize: 512,
      timeoutSeconds: 120,
      reservedConcurrentExecutions: 2,
      environmentEncryptionKeyArn: KMS_ARN,
      vpcSubnetIds: ["subnet-1", "subnet-2"],
      securityGroupIds: ["sg-1"],
      logRetentionDays: 90,
      apiBaseUrl: TOGAI_SANDBOX_BASE_URL,
      minTokenLifeHours: 18,
      rotationIntervalHours: 4,
      rotateImmediately: false,
      tokenSecretName: "billing/togai-token",
      recoveryWindowInDays: 0,
      tags: { team: "billing" },
    });
    const fn = onlyResource(json, "aws_lambda_function");
    expect(fn).toMatchObject({
      function_name: "billing-togai-rotation",
      runtime: "nodejs20.x",
      architectures: ["x86_64"],
      memory_size: 512,
      timeout: 120,
      reserved_concurrent_executions: 2,
      kms_key_arn: KMS_ARN,
      vpc_config: { subnet_ids: ["subnet-1", "subnet-2"], security_group_ids: ["sg-1"] },
      tags: { team: "billing" },
    });
    expect(fn.environment.variables.TOGAI_API_BASE_URL).toBe("https://sandbox-api.togai.com");
    expect(fn.environment.variables.TOGAI_MIN_TOKEN_LIFE_HOURS).toBe("18");
    expect(onlyResource(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/aws/lambda/billing-togai-rotation",
      retention_in_days: 90,
    });
    expect(onlyResource(json, "aws_secretsmanager_secret_rotation")).toMatchObject({
      rotation_rules: { schedule_expression: "rate(4 hours)" },
      rotate_immediately: false,
    });
    expect(onlyResource(json, "aws_secretsmanager_secret")).toMatchObject({
      name: "billing/togai-token",
      recovery_window_in_days: 0,
      tags: { team: "billing" },
    });
    expect(onlyResource(json, "aws_iam_role_policy_attachment").policy_arn).toBe(
      "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    );
  });

  test("createKmsKey: a rotating key, used by the secret and granted through Secrets Manager only", () => {
    const json = synthRotation({ createKmsKey: true });
    const key = onlyResource(json, "aws_kms_key");
    expect(key.enable_key_rotation).toBe(true);
    expect(key.policy).toBeUndefined();
    expect(onlyResource(json, "aws_secretsmanager_secret").kms_key_id).toMatch(
      /aws_kms_key\..+\.arn/,
    );
    const kms = policyOf(onlyResource(json, "aws_iam_role_policy")).Statement.find(
      (s: { Sid: string }) => s.Sid === "UseTokenKeyViaSecretsManager",
    );
    expect(kms.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(kms.Resource).toMatch(/aws_kms_key\..+\.arn/);
    expect(kms.Condition.StringEquals["kms:ViaService"]).toMatch(
      /^secretsmanager\.\$\{data\.aws_region\..+\.name\}\.amazonaws\.com$/,
    );
    expect(kms.Condition.StringEquals["kms:EncryptionContext:SecretARN"]).toMatch(
      /aws_secretsmanager_secret\./,
    );
  });

  test("an adopted key secret's CMK is decryptable by the function only through Secrets Manager", () => {
    const json = synthRotation({ apiKeyKmsKeyArn: KMS_ARN });
    const kms = policyOf(onlyResource(json, "aws_iam_role_policy")).Statement.find(
      (s: { Sid: string }) => s.Sid === "DecryptApiKeyViaSecretsManager",
    );
    expect(kms).toMatchObject({ Action: ["kms:Decrypt"], Resource: KMS_ARN });
    expect(kms.Condition.StringEquals["kms:EncryptionContext:SecretARN"]).toBe(KEY_ARN);
  });

  test("with apiKey, the key secret and its ephemeral value come first", () => {
    const json = synthStack((stack) => {
      const apiKey = new TogaiApiKeySecret(stack, "Key", {
        valueFromEphemeralVariable: true,
        createKmsKey: true,
      });
      new TogaiTokenRotation(stack, "Tokens", { apiKey });
    });
    const rotation = onlyResource(json, "aws_secretsmanager_secret_rotation");
    expect(rotation.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_secretsmanager_secret_version\./)]),
    );
    const statements = policyOf(onlyResource(json, "aws_iam_role_policy")).Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toContain(
      "DecryptApiKeyViaSecretsManager",
    );
  });

  test("cross-account read: a resource policy naming the principals, public policies blocked", () => {
    const json = synthRotation({
      kmsKeyArn: KMS_ARN,
      crossAccountReadPrincipals: ["210987654321", "arn:aws:iam::210987654321:role/reader"],
    });
    const policy = onlyResource(json, "aws_secretsmanager_secret_policy");
    expect(policy.block_public_policy).toBe(true);
    const statement = policyOf(policy).Statement[0];
    expect(statement.Principal).toEqual({
      AWS: ["210987654321", "arn:aws:iam::210987654321:role/reader"],
    });
    expect(statement.Action).toEqual([
      "secretsmanager:GetSecretValue",
      "secretsmanager:DescribeSecret",
    ]);
  });
});

describe("grants", () => {
  test("grantRead: read on the token secret only, nothing on the key secret", () => {
    const json = synthRotation({}, (stack, rotation) => {
      const role = new IamRole(stack, "Consumer", { name: "consumer", assumeRolePolicy: "{}" });
      rotation.grantRead(role);
      rotation.grantRead(role); // granted once
    });
    const grants = resourcesOf(json, "aws_iam_role_policy").filter(
      (p) => p.role === "${aws_iam_role.Consumer.name}",
    );
    expect(grants).toHaveLength(1);
    const policy = policyOf(grants[0]);
    expect(policy.Statement).toEqual([
      {
        Sid: "ReadTogaiToken",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: expect.stringMatching(/aws_secretsmanager_secret\..+\.arn/),
      },
    ]);
    expect(grants[0].policy).not.toContain(KEY_ARN);
  });

  test("grantRead with a CMK adds kms:Decrypt through Secrets Manager for the token secret", () => {
    const json = synthRotation({ kmsKeyArn: KMS_ARN }, (stack, rotation) => {
      rotation.grantRead(
        new IamRole(stack, "Consumer", { name: "consumer", assumeRolePolicy: "{}" }),
      );
    });
    const grant = resourcesOf(json, "aws_iam_role_policy").find(
      (p) => p.role === "${aws_iam_role.Consumer.name}",
    );
    const kms = policyOf(grant).Statement[1];
    expect(kms).toMatchObject({
      Sid: "DecryptTogaiTokenViaSecretsManager",
      Action: ["kms:Decrypt"],
      Resource: KMS_ARN,
    });
    expect(kms.Condition.StringEquals["kms:ViaService"]).toMatch(/^secretsmanager\./);
  });

  test("by role name, by role ARN, and for a Lambda function (which also gets the env var)", () => {
    const json = synthRotation({}, (stack, rotation) => {
      rotation.grantReadToRoleName("named-role");
      rotation.grantReadToRoleArn("arn:aws:iam::123456789012:role/service/arn-role");
      const role = new IamRole(stack, "FnRole", { name: "fn-role", assumeRolePolicy: "{}" });
      const fn = new LambdaFunction(stack, "Consumer", {
        functionName: "consumer",
        role: role.arn,
        runtime: "nodejs22.x",
        handler: "index.handler",
        filename: "consumer.zip",
        environment: { variables: { KEEP: "me" } },
      });
      rotation.grantReadToFunction(fn);
    });
    const roles = resourcesOf(json, "aws_iam_role_policy").map((p) => p.role);
    expect(roles).toEqual(
      expect.arrayContaining([
        "named-role",
        "arn-role",
        // The function's role is a role object of this app: the grant names that role.
        "${aws_iam_role.FnRole.name}",
      ]),
    );
    const consumer = resourcesOf(json, "aws_lambda_function").find(
      (f) => f.function_name === "consumer",
    );
    expect(consumer?.environment.variables).toEqual({
      KEEP: "me",
      TOGAI_TOKEN_SECRET_ARN: expect.stringMatching(/aws_secretsmanager_secret\..+\.arn/),
    });
  });
});

describe("validation errors name the value and the allowed range", () => {
  const cases: Array<[string, Partial<TogaiTokenRotationProps>, string]> = [
    [
      "interval below 4",
      { rotationIntervalHours: 2 },
      "rotationIntervalHours must be a whole number from 4 to 11 hours",
    ],
    [
      "interval of 12, where one wholly failed window expires the token",
      { rotationIntervalHours: 12 },
      "got 12",
    ],
    ["fractional interval", { rotationIntervalHours: 4.5 }, "got 4.5"],
    [
      "http base URL",
      { apiBaseUrl: "http://api.togai.com" },
      'apiBaseUrl must use https (plain http is allowed only for 127.0.0.1 or localhost), got "http://api.togai.com"',
    ],
    ["relative base URL", { apiBaseUrl: "api.togai.com" }, "apiBaseUrl must be an absolute URL"],
    [
      "base URL with a path",
      { apiBaseUrl: "https://api.togai.com/v1" },
      "must be an origin without path",
    ],
    [
      "recovery window 3",
      { recoveryWindowInDays: 3 },
      "recoveryWindowInDays must be 0 (delete without recovery) or 7 to 30 days, got 3",
    ],
    ["recovery window 31", { recoveryWindowInDays: 31 }, "got 31"],
    [
      "malformed key ARN",
      { apiKeySecretArn: "billing/togai-key" },
      'apiKeySecretArn is not a valid ARN: got "billing/togai-key"',
    ],
    [
      "partial key ARN (no random suffix: matches no secret in an IAM policy)",
      { apiKeySecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key" },
      "ending in the 6 random characters Secrets Manager appends",
    ],
    [
      "KMS alias instead of key",
      { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/togai" },
      "kmsKeyArn is not a valid ARN",
    ],
    [
      "both KMS options",
      { kmsKeyArn: KMS_ARN, createKmsKey: true },
      "give kmsKeyArn or createKmsKey, not both",
    ],
    [
      "memory",
      { memorySize: 64 },
      "memorySize must be a whole number from 128 to 10240 MB, got 64",
    ],
    [
      "timeout",
      { timeoutSeconds: 5 },
      "timeoutSeconds must be a whole number from 10 to 900 seconds, got 5",
    ],
    [
      "min token life",
      { minTokenLifeHours: 24 },
      "minTokenLifeHours must be a whole number from 1 to 23 hours, got 24",
    ],
    [
      "log retention",
      { logRetentionDays: 10 },
      "logRetentionDays must be one of CloudWatch Logs' values",
    ],
    [
      "runtime",
      { runtime: "nodejs24.x" },
      'runtime must be one of "nodejs20.x", "nodejs22.x", got "nodejs24.x"',
    ],
    [
      "architecture",
      { architecture: "arm" },
      'architecture must be one of "arm64", "x86_64", got "arm"',
    ],
    [
      "function name",
      { functionName: "has space" },
      'functionName must be 1 to 64 letters, digits, - or _, got "has space"',
    ],
    [
      "subnets without groups",
      { vpcSubnetIds: ["subnet-1"] },
      "give vpcSubnetIds and securityGroupIds together",
    ],
    [
      "cross-account principal",
      { kmsKeyArn: KMS_ARN, crossAccountReadPrincipals: ["bob"] },
      "crossAccountReadPrincipals is not a valid ARN",
    ],
    [
      "cross-account without CMK",
      { crossAccountReadPrincipals: ["210987654321"] },
      "crossAccountReadPrincipals needs kmsKeyArn",
    ],
    [
      "reserved concurrency",
      { reservedConcurrentExecutions: 0 },
      "reservedConcurrentExecutions must be a whole number from 1 to 1000",
    ],
  ];
  test.each(cases)("%s", (_name, props, message) => {
    expect(() => synthRotation(props)).toThrow(message);
  });

  test("errors name the construct path", () => {
    expect(() => synthRotation({ rotationIntervalHours: 2 })).toThrow(/^test\/Tokens: /);
  });

  test("apiKey and apiKeySecretArn: exactly one", () => {
    expect(() => synthStack((s) => new TogaiTokenRotation(s, "T", {}))).toThrow(
      "give exactly one of apiKey or apiKeySecretArn: neither was given",
    );
    expect(() =>
      synthStack((s) => {
        const apiKey = new TogaiApiKeySecret(s, "K");
        new TogaiTokenRotation(s, "T", { apiKey, apiKeySecretArn: KEY_ARN });
      }),
    ).toThrow("give exactly one of apiKey or apiKeySecretArn: both were given");
    expect(() =>
      synthStack((s) => {
        const apiKey = new TogaiApiKeySecret(s, "K");
        new TogaiTokenRotation(s, "T", { apiKey, apiKeyKmsKeyArn: KMS_ARN });
      }),
    ).toThrow("apiKeyKmsKeyArn applies only with apiKeySecretArn");
  });

  test("a role ARN that is not one is refused", () => {
    expect(() =>
      synthRotation({}, (_s, r) => r.grantReadToRoleArn("arn:aws:iam::123456789012:user/bob")),
    ).toThrow('roleArn is not a valid ARN: got "arn:aws:iam::123456789012:user/bob"');
  });

  test("plain http is accepted on loopback (tests and local stand-ins)", () => {
    const json = synthRotation({ apiBaseUrl: "http://127.0.0.1:8080" });
    expect(onlyResource(json, "aws_lambda_function").environment.variables.TOGAI_API_BASE_URL).toBe(
      "http://127.0.0.1:8080",
    );
  });
});
