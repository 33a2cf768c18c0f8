/**
 * Least privilege, proven by policy evaluation: the hardened example is applied to moto_server,
 * every deployed policy is read back (role inline/attached/trust policies, secret resource
 * policies, KMS key policies, the Lambda permission), and a table of requests is evaluated with
 * an IAM policy simulator. moto itself does not enforce resource-scoped IAM.
 */

import { LoopbackDeployment } from "../../demo/loopback-deployment";
import { HardenedStack } from "../../examples/hardened/main";
import {
  type Decision,
  type DeployedPolicies,
  decide,
  type Policy,
  readDeployedPolicies,
} from "../support/iam-simulation";

jest.setTimeout(180_000);

const deployment = new LoopbackDeployment({ stack: (scope, id) => new HardenedStack(scope, id) });
let policies: DeployedPolicies;
let o: Record<string, string>;
const REGION = "us-east-1";
const VIA_SM = { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` };
const OTHER_SECRET =
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:someone-elses-secret-AbCdEf";
const OTHER_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:someone-elses-function";
const OTHER_ACCOUNT_ROLE = "arn:aws:iam::210987654321:role/outsider";

beforeAll(async () => {
  await deployment.startServers();
  deployment.synth();
  await deployment.init();
  await deployment.apply();
  o = deployment.rawOutputs;
  policies = await readDeployedPolicies({
    roleArns: [o.consumer_role_arn, o.rotation_role_arn, o.break_glass_role_arn],
    secretArns: [o.api_key_secret_arn, o.token_secret_arn],
    keyArns: [o.api_key_kms_key_arn, o.token_kms_key_arn],
    functionArns: [o.rotation_function_arn],
  });
});

afterAll(async () => {
  await deployment.cleanup();
  deployment.removeWorkDir();
});

const identity = (p: DeployedPolicies, roleArn: string): Policy[] =>
  Object.values(p.roles[roleArn].inline);

/** The resource policy that governs a request to `resource`. */
function resourcePolicyOf(p: DeployedPolicies, resource: string): Policy | undefined {
  if (resource.includes(":secretsmanager:")) return p.secrets[resource];
  if (resource.includes(":kms:")) return p.keys[resource];
  if (resource.includes(":lambda:")) return p.functions[resource];
  if (resource.includes(":iam:") && p.roles[resource]) return p.roles[resource].trust;
  return undefined;
}

interface Row {
  readonly name: string;
  readonly principal: (o: Record<string, string>) => string;
  readonly action: string;
  readonly resource: (o: Record<string, string>) => string;
  readonly context?: (o: Record<string, string>) => Record<string, string>;
  readonly expected: Decision;
}

const consumer = (x: Record<string, string>) => x.consumer_role_arn;
const rotation = (x: Record<string, string>) => x.rotation_role_arn;
const token = (x: Record<string, string>) => x.token_secret_arn;
const key = (x: Record<string, string>) => x.api_key_secret_arn;
const tokenCmk = (x: Record<string, string>) => x.token_kms_key_arn;
const keyCmk = (x: Record<string, string>) => x.api_key_kms_key_arn;
const viaSmFor =
  (secret: (x: Record<string, string>) => string) => (x: Record<string, string>) => ({
    ...VIA_SM,
    "kms:EncryptionContext:SecretARN": secret(x),
  });

const TABLE: Row[] = [
  {
    name: "consumer: GetSecretValue on the token secret",
    principal: consumer,
    action: "secretsmanager:GetSecretValue",
    resource: token,
    expected: "Allowed",
  },
  {
    name: "consumer: DescribeSecret on the token secret",
    principal: consumer,
    action: "secretsmanager:DescribeSecret",
    resource: token,
    expected: "Allowed",
  },
  {
    name: "consumer: GetSecretValue on the API-key secret",
    principal: consumer,
    action: "secretsmanager:GetSecretValue",
    resource: key,
    expected: "ExplicitlyDenied",
  },
  {
    name: "consumer: PutSecretValue on the token secret",
    principal: consumer,
    action: "secretsmanager:PutSecretValue",
    resource: token,
    expected: "ImplicitlyDenied",
  },
  {
    name: "consumer: UpdateSecretVersionStage on the token secret",
    principal: consumer,
    action: "secretsmanager:UpdateSecretVersionStage",
    resource: token,
    expected: "ImplicitlyDenied",
  },
  {
    name: "consumer: DeleteSecret on the token secret",
    principal: consumer,
    action: "secretsmanager:DeleteSecret",
    resource: token,
    expected: "ImplicitlyDenied",
  },
  {
    name: "consumer: kms:Decrypt of the token via Secrets Manager",
    principal: consumer,
    action: "kms:Decrypt",
    resource: tokenCmk,
    context: viaSmFor(token),
    expected: "Allowed",
  },
  {
    name: "consumer: kms:Decrypt of the token key directly",
    principal: consumer,
    action: "kms:Decrypt",
    resource: tokenCmk,
    expected: "ImplicitlyDenied",
  },
  {
    name: "consumer: kms:Decrypt via Secrets Manager for another secret",
    principal: consumer,
    action: "kms:Decrypt",
    resource: tokenCmk,
    context: () => ({ ...VIA_SM, "kms:EncryptionContext:SecretARN": OTHER_SECRET }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "consumer: kms:Decrypt with the API key's key",
    principal: consumer,
    action: "kms:Decrypt",
    resource: keyCmk,
    context: viaSmFor(key),
    expected: "ImplicitlyDenied",
  },
  {
    name: "rotation: GetSecretValue on the API-key secret",
    principal: rotation,
    action: "secretsmanager:GetSecretValue",
    resource: key,
    expected: "Allowed",
  },
  {
    name: "rotation: PutSecretValue on the API-key secret",
    principal: rotation,
    action: "secretsmanager:PutSecretValue",
    resource: key,
    expected: "ImplicitlyDenied",
  },
  {
    name: "rotation: UpdateSecret on the API-key secret",
    principal: rotation,
    action: "secretsmanager:UpdateSecret",
    resource: key,
    expected: "ImplicitlyDenied",
  },
  {
    name: "rotation: DeleteSecret on the API-key secret",
    principal: rotation,
    action: "secretsmanager:DeleteSecret",
    resource: key,
    expected: "ImplicitlyDenied",
  },
  ...["DescribeSecret", "GetSecretValue", "PutSecretValue", "UpdateSecretVersionStage"].map(
    (a): Row => ({
      name: `rotation: ${a} on the token secret`,
      principal: rotation,
      action: `secretsmanager:${a}`,
      resource: token,
      expected: "Allowed",
    }),
  ),
  // Self-healing and key changes: the function starts a fresh rotation of its token secret
  // itself (RotateSecret, which needs lambda:InvokeFunction on the rotation function).
  {
    name: "rotation: RotateSecret on the token secret",
    principal: rotation,
    action: "secretsmanager:RotateSecret",
    resource: token,
    expected: "Allowed",
  },
  {
    name: "rotation: RotateSecret on the API-key secret",
    principal: rotation,
    action: "secretsmanager:RotateSecret",
    resource: key,
    expected: "ImplicitlyDenied",
  },
  {
    name: "rotation: RotateSecret on another secret",
    principal: rotation,
    action: "secretsmanager:RotateSecret",
    resource: () => OTHER_SECRET,
    expected: "ImplicitlyDenied",
  },
  ...["CancelRotateSecret", "UpdateSecret", "PutResourcePolicy"].map(
    (a): Row => ({
      name: `rotation: ${a} on the token secret`,
      principal: rotation,
      action: `secretsmanager:${a}`,
      resource: token,
      expected: "ImplicitlyDenied",
    }),
  ),
  {
    name: "rotation: lambda:InvokeFunction on its own function",
    principal: rotation,
    action: "lambda:InvokeFunction",
    resource: (x) => x.rotation_function_arn,
    expected: "Allowed",
  },
  {
    name: "rotation: lambda:InvokeFunction on another function",
    principal: rotation,
    action: "lambda:InvokeFunction",
    resource: () => OTHER_FUNCTION,
    expected: "ImplicitlyDenied",
  },
  ...["UpdateFunctionCode", "UpdateFunctionConfiguration", "AddPermission"].map(
    (a): Row => ({
      name: `rotation: lambda:${a} on its own function`,
      principal: rotation,
      action: `lambda:${a}`,
      resource: (x) => x.rotation_function_arn,
      expected: "ImplicitlyDenied",
    }),
  ),
  {
    name: "rotation: DeleteSecret on the token secret",
    principal: rotation,
    action: "secretsmanager:DeleteSecret",
    resource: token,
    expected: "ImplicitlyDenied",
  },
  {
    name: "rotation: GetSecretValue on another secret",
    principal: rotation,
    action: "secretsmanager:GetSecretValue",
    resource: () => OTHER_SECRET,
    expected: "ImplicitlyDenied",
  },
  {
    name: "rotation: kms:Decrypt of the API key via Secrets Manager",
    principal: rotation,
    action: "kms:Decrypt",
    resource: keyCmk,
    context: viaSmFor(key),
    expected: "Allowed",
  },
  {
    name: "rotation: kms:GenerateDataKey for the token via Secrets Manager",
    principal: rotation,
    action: "kms:GenerateDataKey",
    resource: tokenCmk,
    context: viaSmFor(token),
    expected: "Allowed",
  },
  {
    name: "rotation: kms:Decrypt of the API key's key directly",
    principal: rotation,
    action: "kms:Decrypt",
    resource: keyCmk,
    expected: "ImplicitlyDenied",
  },
  {
    name: "rotation: GetSecretValue on the API key without TLS",
    principal: rotation,
    action: "secretsmanager:GetSecretValue",
    resource: key,
    context: () => ({ "aws:SecureTransport": "false" }),
    expected: "ExplicitlyDenied",
  },
  {
    name: "break-glass administrator: GetSecretValue on the API-key secret",
    principal: (x) => x.break_glass_role_arn,
    action: "secretsmanager:GetSecretValue",
    resource: key,
    expected: "Allowed",
  },
  {
    name: "Secrets Manager may invoke the function for the token secret",
    principal: () => "secretsmanager.amazonaws.com",
    action: "lambda:InvokeFunction",
    resource: (x) => x.rotation_function_arn,
    context: (x) => ({ "aws:SourceArn": x.token_secret_arn, "aws:SourceAccount": "123456789012" }),
    expected: "Allowed",
  },
  {
    name: "Secrets Manager may not invoke the function for another secret",
    principal: () => "secretsmanager.amazonaws.com",
    action: "lambda:InvokeFunction",
    resource: (x) => x.rotation_function_arn,
    context: () => ({ "aws:SourceArn": OTHER_SECRET }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "another account may not invoke the function",
    principal: () => OTHER_ACCOUNT_ROLE,
    action: "lambda:InvokeFunction",
    resource: (x) => x.rotation_function_arn,
    expected: "ImplicitlyDenied",
  },
  {
    name: "the consumer may not invoke the function",
    principal: consumer,
    action: "lambda:InvokeFunction",
    resource: (x) => x.rotation_function_arn,
    expected: "ImplicitlyDenied",
  },
  {
    name: "only Lambda may assume the rotation role",
    principal: () => "lambda.amazonaws.com",
    action: "sts:AssumeRole",
    resource: rotation,
    expected: "Allowed",
  },
  {
    name: "another account may not assume the rotation role",
    principal: () => OTHER_ACCOUNT_ROLE,
    action: "sts:AssumeRole",
    resource: rotation,
    expected: "ImplicitlyDenied",
  },
];

async function evaluate(p: DeployedPolicies, row: Row): Promise<Decision> {
  const principal = row.principal(o);
  const resource = row.resource(o);
  return decide({
    principal,
    action: row.action,
    resource,
    context: row.context?.(o),
    identityPolicies: p.roles[principal] ? identity(p, principal) : [],
    resourcePolicy: resourcePolicyOf(p, resource),
  });
}

test.each(TABLE.map((row) => [row.name, row] as const))("%s", async (_name, row) => {
  expect(await evaluate(policies, row)).toBe(row.expected);
});

test("a role whose own policy allows reading the key is still denied by the key's resource policy", async () => {
  const widened: Policy = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: o.api_key_secret_arn },
    ],
  };
  const decision = await decide({
    principal: "arn:aws:iam::123456789012:role/over-granted",
    action: "secretsmanager:GetSecretValue",
    resource: o.api_key_secret_arn,
    identityPolicies: [widened],
    resourcePolicy: policies.secrets[o.api_key_secret_arn],
  });
  expect(decision).toBe("ExplicitlyDenied");
});

test("the table catches a broken grant: the consumer widened to the key secret (without its resource policy)", async () => {
  const row = TABLE.find((r) => r.name === "consumer: GetSecretValue on the API-key secret") as Row;
  const broken: DeployedPolicies = structuredClone(policies);
  const grant = Object.values(broken.roles[o.consumer_role_arn].inline)[0];
  grant.Statement[0].Resource = [o.token_secret_arn, o.api_key_secret_arn];
  broken.secrets[o.api_key_secret_arn] = undefined;
  expect(await evaluate(broken, row)).toBe("Allowed");
  expect(await evaluate(broken, row)).not.toBe(row.expected);
});

test("no policy has a wildcard action or resource that the table does not expect", () => {
  const found: string[] = [];
  const record = (where: string, policy: Policy) => {
    for (const s of policy.Statement) {
      const actions = [s.Action ?? s.NotAction].flat().filter((a: string) => a?.includes("*"));
      const resources = [s.Resource]
        .flat()
        .filter((r: string) => r === "*" || (r?.endsWith(":*") && !r.includes(":log-group:")));
      if (actions.length || resources.length)
        found.push(`${where} ${s.Sid ?? ""} ${actions.join(",")} ${resources.join(",")}`.trim());
    }
  };
  for (const [arn, role] of Object.entries(policies.roles)) {
    for (const [name, policy] of Object.entries(role.inline))
      record(`role ${arn.split("/").pop()} ${name}:`, policy);
    expect(role.attached).toEqual([]);
  }
  for (const [arn, policy] of Object.entries(policies.secrets))
    if (policy) record(`secret ${arn.split(":").pop()}:`, policy);
  for (const [arn, policy] of Object.entries(policies.keys))
    record(`key ${arn.split("/").pop()}:`, policy);
  for (const [arn, policy] of Object.entries(policies.functions))
    record(`function ${arn.split(":").pop()}:`, policy);

  const keyIds = [o.api_key_kms_key_arn, o.token_kms_key_arn].map((a) => a.split("/").pop());
  expect(found).toEqual(
    expect.arrayContaining([
      // KMS's default key policy: the account (and through it, IAM) administers its own key.
      ...keyIds.map((id) => expect.stringMatching(new RegExp(`^key ${id}: .*kms:\\* \\*$`))),
      // The TLS-only deny covers every Secrets Manager action on the API-key secret.
      expect.stringMatching(/^secret .+: DenyWithoutTls secretsmanager:\*$/),
    ]),
  );
  expect(found).toHaveLength(3);
});

test("the rotation role holds exactly its grants: the protocol's four on the token secret, RotateSecret on it and InvokeFunction on its own function, nothing wider", () => {
  const grants = Object.values(policies.roles[o.rotation_role_arn].inline)
    .flatMap((p) => p.Statement)
    .filter((s) => s.Effect === "Allow" && !String(s.Action).startsWith("kms:"))
    .flatMap((s) =>
      [s.Action].flat().flatMap((a: string) => [s.Resource].flat().map((r: string) => `${a} ${r}`)),
    )
    .filter((g) => !g.startsWith("logs:"))
    .sort();
  expect(grants).toEqual(
    [
      ...["DescribeSecret", "GetSecretValue", "PutSecretValue", "UpdateSecretVersionStage"].map(
        (a) => `secretsmanager:${a} ${o.token_secret_arn}`,
      ),
      `secretsmanager:RotateSecret ${o.token_secret_arn}`,
      `secretsmanager:GetSecretValue ${o.api_key_secret_arn}`,
      `lambda:InvokeFunction ${o.rotation_function_arn}`,
    ].sort(),
  );
});
