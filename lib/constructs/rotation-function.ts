import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AssetType, Fn, TerraformAsset, TerraformLocal } from "cdktf";
import type { Construct } from "constructs";
import { DEFAULT_MIN_TOKEN_LIFE_HOURS, ROTATION_ENV, TOGAI_PRODUCTION_BASE_URL } from "../contract";
import { TogaiLambdaArchitecture, TogaiLambdaRuntime } from "./constants";
import { lambdaTrustPolicy, rotationPolicy } from "./policies";
import { rotationBundle } from "./rotation-asset";
import type { TogaiTokenRotationProps } from "./token-rotation-props";

/** What the rotation function needs to know besides the construct's props. */
export interface RotationFunctionInput {
  readonly props: TogaiTokenRotationProps;
  readonly functionName: string;
  /** Short, stable suffix for names (from the construct's address). */
  readonly short: string;
  readonly region: string;
  readonly tokenSecretArn: string;
  readonly tokenKmsKeyArn?: string;
  readonly apiKeySecretArn: string;
  readonly apiKeyKmsKeyArn?: string;
}

/** The rotation function and everything it needs to run. */
export interface RotationFunctionParts {
  readonly logGroup: CloudwatchLogGroup;
  readonly role: IamRole;
  readonly rolePolicy: IamRolePolicy;
  readonly fn: LambdaFunction;
  readonly invokePermission: LambdaPermission;
}

/**
 * Creates the rotation function, its least-privilege role, log group and invoke permission in
 * `scope` (with the construct ids they have always had, so that upgrades replace nothing).
 */
export function createRotationFunction(
  scope: Construct,
  input: RotationFunctionInput,
): RotationFunctionParts {
  const { props } = input;
  const tags = props.tags;
  // Created before the function, so Lambda never creates it without a retention.
  const logGroup = new CloudwatchLogGroup(scope, "Logs", {
    name: `/aws/lambda/${input.functionName}`,
    retentionInDays: props.logRetentionDays ?? 30,
    tags,
  });

  const role = new IamRole(scope, "Role", {
    name: `togai-token-rotation-${input.short}`,
    description: "Rotation function of a Togai token secret",
    assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()),
    tags,
  });
  // The function's own ARN, for the RotateSecret grant. Referencing the function would be a
  // cycle (the function waits for this policy), so it is built from its name and the token
  // secret's partition, region and account, which the function shares (a rotation function
  // runs in its secret's account and region). A local keeps the expression out of the JSON.
  const secretArnParts = Fn.split(":", input.tokenSecretArn);
  const functionArn = new TerraformLocal(
    scope,
    "RotationFunctionArn",
    Fn.join(":", [
      "arn",
      Fn.element(secretArnParts, 1),
      "lambda",
      Fn.element(secretArnParts, 3),
      Fn.element(secretArnParts, 4),
      "function",
      input.functionName,
    ]),
  ).asString;
  const rolePolicy = new IamRolePolicy(scope, "RolePolicy", {
    name: "togai-token-rotation",
    role: role.name,
    policy: JSON.stringify(
      rotationPolicy({
        tokenSecretArn: input.tokenSecretArn,
        functionArn,
        apiKeySecretArn: input.apiKeySecretArn,
        logGroupArn: logGroup.arn,
        region: input.region,
        tokenKmsKeyArn: input.tokenKmsKeyArn,
        apiKeyKmsKeyArn: input.apiKeyKmsKeyArn,
      }),
    ),
  });
  const vpcAccess = props.vpcSubnetIds
    ? new IamRolePolicyAttachment(scope, "VpcAccess", {
        role: role.name,
        // Network interfaces cannot be scoped to a resource; AWS's managed policy is the norm.
        policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
      })
    : undefined;

  const bundle = rotationBundle();
  const asset = new TerraformAsset(scope, "Code", { path: bundle.zipPath, type: AssetType.FILE });
  const fn = new LambdaFunction(scope, "Function", {
    functionName: input.functionName,
    description: "Mints Togai short-lived tokens into the token secret (Secrets Manager rotation)",
    role: role.arn,
    runtime: props.runtime ?? TogaiLambdaRuntime.NODEJS_22_X,
    architectures: [props.architecture ?? TogaiLambdaArchitecture.ARM_64],
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
        [ROTATION_ENV.apiKeySecretArn]: input.apiKeySecretArn,
        [ROTATION_ENV.tokenSecretArn]: input.tokenSecretArn,
        [ROTATION_ENV.apiBaseUrl]: props.apiBaseUrl ?? TOGAI_PRODUCTION_BASE_URL,
        [ROTATION_ENV.minTokenLifeHours]: String(
          props.minTokenLifeHours ?? DEFAULT_MIN_TOKEN_LIFE_HOURS,
        ),
      },
    },
    tags,
    dependsOn: [logGroup, rolePolicy, ...(vpcAccess ? [vpcAccess] : [])],
  });

  const invokePermission = new LambdaPermission(scope, "InvokeBySecretsManager", {
    functionName: fn.functionName,
    action: "lambda:InvokeFunction",
    principal: "secretsmanager.amazonaws.com",
    sourceArn: input.tokenSecretArn,
  });
  return { logGroup, role, rolePolicy, fn, invokePermission };
}
