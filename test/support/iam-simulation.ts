/**
 * Reads back every policy that was deployed to the emulator and evaluates requests against them
 * with an IAM policy simulator (@cloud-copilot/iam-simulate, a test-only dependency). moto stores
 * policies but does not enforce resource-scoped IAM, so this is how least privilege is proven.
 */
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { GetKeyPolicyCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetPolicyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetResourcePolicyCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

// biome-ignore lint/suspicious/noExplicitAny: IAM policy documents are free-form JSON.
export type Policy = { Version?: string; Statement: any[] };
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface DeployedPolicies {
  /** Inline and attached (by ARN) identity policies, and the trust policy, per role ARN. */
  readonly roles: Record<
    string,
    { inline: Record<string, Policy>; attached: string[]; trust: Policy }
  >;
  /** Resource policies of secrets, per secret ARN (undefined when none). */
  readonly secrets: Record<string, Policy | undefined>;
  /** Key policies, per key ARN. */
  readonly keys: Record<string, Policy>;
  /** Resource policy of each function, per function ARN. */
  readonly functions: Record<string, Policy>;
}

/** IAM returns policy documents URL-encoded; other services return plain JSON. */
function parsePolicy(text: string | undefined): Policy {
  if (!text) throw new Error("empty policy document");
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(decodeURIComponent(text));
  }
}

export async function readDeployedPolicies(ids: {
  roleArns: string[];
  secretArns: string[];
  keyArns: string[];
  functionArns: string[];
}): Promise<DeployedPolicies> {
  const iam = new IAMClient({});
  const secretsClient = new SecretsManagerClient({});
  const kms = new KMSClient({});
  const lambda = new LambdaClient({});
  try {
    const roles: DeployedPolicies["roles"] = {};
    for (const arn of ids.roleArns) {
      const RoleName = arn.split("/").pop() as string;
      const role = await iam.send(new GetRoleCommand({ RoleName }));
      const names = (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? [];
      const inline: Record<string, Policy> = {};
      for (const PolicyName of names) {
        const out = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
        inline[PolicyName] = parsePolicy(out.PolicyDocument);
      }
      const attached =
        (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? [];
      roles[arn] = {
        inline,
        attached: attached.map((p) => p.PolicyArn as string),
        trust: parsePolicy(role.Role?.AssumeRolePolicyDocument),
      };
    }
    const secrets: DeployedPolicies["secrets"] = {};
    for (const arn of ids.secretArns) {
      const out = await secretsClient.send(new GetResourcePolicyCommand({ SecretId: arn }));
      secrets[arn] = out.ResourcePolicy ? parsePolicy(out.ResourcePolicy) : undefined;
    }
    const keys: DeployedPolicies["keys"] = {};
    for (const arn of ids.keyArns) {
      keys[arn] = parsePolicy(
        (await kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: "default" }))).Policy,
      );
    }
    const functions: DeployedPolicies["functions"] = {};
    for (const arn of ids.functionArns) {
      functions[arn] = parsePolicy(
        (await lambda.send(new GetPolicyCommand({ FunctionName: arn }))).Policy,
      );
    }
    return { roles, secrets, keys, functions };
  } finally {
    iam.destroy();
    secretsClient.destroy();
    kms.destroy();
    lambda.destroy();
  }
}

/**
 * The simulator only understands variable condition keys written with "/" (aws:RequestTag/x):
 * it ignores `kms:EncryptionContext:<key>`. So that condition is evaluated here, exactly as
 * StringEquals does, and removed: a statement whose context does not match is dropped.
 */
function applyEncryptionContext(policy: Policy, context: Record<string, string>): Policy {
  const statements = policy.Statement.flatMap((statement) => {
    const equals = statement.Condition?.StringEquals;
    const keys = Object.keys(equals ?? {}).filter((k) =>
      k.toLowerCase().startsWith("kms:encryptioncontext:"),
    );
    if (keys.length === 0) return [statement];
    if (!keys.every((k) => context[k] === equals[k])) return [];
    const remaining = Object.fromEntries(Object.entries(equals).filter(([k]) => !keys.includes(k)));
    return [{ ...statement, Condition: { ...statement.Condition, StringEquals: remaining } }];
  });
  return { ...policy, Statement: statements };
}

export interface SimulatedRequest {
  /** A role ARN, an account root ARN, or a service principal such as secretsmanager.amazonaws.com. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  /** Identity policies of the principal. */
  readonly identityPolicies: Policy[];
  /** The resource's own policy (secret, key or function), if any. */
  readonly resourcePolicy?: Policy;
}

/** Evaluates one request; a validation error of the simulator fails loudly. */
export async function decide(request: SimulatedRequest): Promise<Decision> {
  // AWS always sets these for an IAM principal; the simulator does not populate them itself.
  const iamPrincipal = /^arn:aws:iam::(\d{12}):/.exec(request.principal);
  const context: Record<string, string> = {
    ...(iamPrincipal
      ? { "aws:PrincipalArn": request.principal, "aws:PrincipalAccount": iamPrincipal[1] }
      : {}),
    "aws:SecureTransport": "true",
    ...request.context,
  };
  const simulation: Simulation = {
    identityPolicies: request.identityPolicies.map((policy, i) => ({
      name: `identity${i}`,
      policy: applyEncryptionContext(policy, context),
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy
      ? applyEncryptionContext(request.resourcePolicy, context)
      : undefined,
    request: {
      action: request.action,
      principal: request.principal,
      resource: {
        resource: request.resource,
        accountId: request.resource.split(":")[4] || "123456789012",
      },
      contextVariables: Object.fromEntries(
        Object.entries(context).filter(
          ([k]) => !k.toLowerCase().startsWith("kms:encryptioncontext:"),
        ),
      ),
    },
  } as Simulation;
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") {
    throw new Error(`the simulator refused the request: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}
