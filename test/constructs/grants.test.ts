import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import fc from "fast-check";
import { type TogaiReadGrant, TogaiTokenRotation } from "../../lib";
import { resourcesOf, synthStack, type TfJson } from "../support/synth";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";

type Grant = (r: TogaiTokenRotation) => TogaiReadGrant;

/**
 * A stack with four grantee roles reached seven ways: role A by object, by literal name, by
 * literal ARN and through a function; role B (named by Terraform) by object and by its name
 * reference; role C by a literal ARN; role D by an ARN from a variable.
 */
function synthWithGrants(order: number[]): { json: TfJson; grants: TogaiReadGrant[] } {
  let grants: TogaiReadGrant[] = [];
  const json = synthStack((stack) => {
    const rotation = new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN });
    const roleA = new IamRole(stack, "RoleA", { name: "consumer-a", assumeRolePolicy: "{}" });
    const roleB = new IamRole(stack, "RoleB", {
      namePrefix: "consumer-b-",
      assumeRolePolicy: "{}",
    });
    const fn = new LambdaFunction(stack, "Fn", {
      functionName: "consumer",
      role: roleA.arn,
      runtime: "nodejs22.x",
      handler: "index.handler",
      filename: "consumer.zip",
    });
    const roleD = new TerraformVariable(stack, "role_d_arn", { type: "string" });
    const calls: Grant[] = [
      (r) => r.grantRead(roleA),
      (r) => r.grantReadToRoleName("consumer-a"),
      (r) => r.grantReadToRoleArn("arn:aws:iam::123456789012:role/consumer-a"),
      (r) => r.grantReadToFunction(fn),
      (r) => r.grantRead(roleB),
      (r) => r.grantReadToRoleName(roleB.name),
      (r) => r.grantReadToRoleArn("arn:aws:iam::123456789012:role/team/consumer-c"),
      (r) => r.grantReadToRoleArn(roleD.stringValue),
    ];
    const results: TogaiReadGrant[] = [];
    for (const i of order) results[i] = calls[i](rotation);
    grants = results;
  });
  return { json, grants };
}

const readGrants = (json: TfJson) =>
  resourcesOf(json, "aws_iam_role_policy").filter((p) => p.name.startsWith("togai-token-reader-"));

describe("grants compose", () => {
  const inOrder = synthWithGrants([0, 1, 2, 3, 4, 5, 6, 7]);

  test("one inline policy per grantee role, whatever the form of the calls", () => {
    const policies = readGrants(inOrder.json);
    expect(policies.map((p) => p.role).sort()).toEqual(
      [
        "${aws_iam_role.RoleA.name}",
        "${aws_iam_role.RoleB.name}",
        "consumer-c",
        '${element(reverse(split("/", var.role_d_arn)), 0)}',
      ].sort(),
    );
    // No two policies of the same name on the same role: destroying one never deletes another's.
    const pairs = policies.map((p) => `${p.role}|${p.name}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    for (const policy of policies) {
      expect(JSON.parse(policy.policy).Statement.map((s: TfJson) => s.Sid)).toEqual([
        "ReadTogaiToken",
      ]);
    }
  });

  test("each grant returns the policy it created or extended; one role, one policy object", () => {
    const [a0, a1, a2, a3, b0, b1, c, d] = inOrder.grants;
    for (const same of [a1, a2, a3]) expect(same.policy).toBe(a0.policy);
    expect(b1.policy).toBe(b0.policy);
    expect(new Set([a0.policy, b0.policy, c.policy, d.policy]).size).toBe(4);
    expect(c.roleName).toBe("consumer-c");
  });

  test("invariant: permuting the calls changes no byte of the synthesized JSON", () => {
    const reference = JSON.stringify(inOrder.json);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 8, maxLength: 8 }),
        (order) => {
          expect(JSON.stringify(synthWithGrants(order).json)).toBe(reference);
        },
      ),
      { numRuns: 12, seed: 13 },
    );
  });

  test("a later role-object grant turns a by-name grant into a reference to the role", () => {
    const json = synthStack((stack) => {
      const rotation = new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN });
      const role = new IamRole(stack, "Role", { name: "late", assumeRolePolicy: "{}" });
      rotation.grantReadToRoleName("late");
      rotation.grantRead(role);
    });
    expect(readGrants(json).map((p) => p.role)).toEqual(["${aws_iam_role.Role.name}"]);
  });

  test("two token secrets granted to one role: two policies with different names", () => {
    const json = synthStack((stack) => {
      const role = new IamRole(stack, "Role", { name: "shared", assumeRolePolicy: "{}" });
      for (const id of ["One", "Two"]) {
        new TogaiTokenRotation(stack, id, { apiKeySecretArn: KEY_ARN }).grantRead(role);
      }
    });
    const names = readGrants(json).map((p) => p.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
  });

  test("invariant: two grants reaching one unknown role by different expressions never share a policy name", () => {
    const json = synthStack((stack) => {
      const rotation = new TogaiTokenRotation(stack, "Tokens", { apiKeySecretArn: KEY_ARN });
      const role = new IamRole(stack, "Role", { name: "consumer-a", assumeRolePolicy: "{}" });
      // Both variables may name consumer-a: only Terraform knows.
      const name = new TerraformVariable(stack, "role_name", { type: "string" });
      const arn = new TerraformVariable(stack, "role_arn", { type: "string" });
      rotation.grantRead(role);
      rotation.grantReadToRoleName(name.stringValue);
      rotation.grantReadToRoleArn(arn.stringValue);
    });
    const names = readGrants(json).map((p) => p.name);
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
  });
});

describe("grants across stacks", () => {
  /** A consumer stack (role, function using the token secret) and a token stack. */
  function synthTwoStacks(
    grant: (r: TogaiTokenRotation, role: IamRole, fn: LambdaFunction) => void,
  ) {
    const app = Testing.app();
    const consumers = new TerraformStack(app, "consumers");
    const tokens = new TerraformStack(app, "tokens");
    for (const stack of [consumers, tokens]) new AwsProvider(stack, "aws", { region: "us-east-1" });
    const role = new IamRole(consumers, "Role", { assumeRolePolicy: "{}" });
    const fn = new LambdaFunction(consumers, "Fn", {
      functionName: "consumer",
      role: role.arn,
      runtime: "nodejs22.x",
      handler: "index.handler",
      filename: "consumer.zip",
    });
    const rotation = new TogaiTokenRotation(tokens, "Tokens", { apiKeySecretArn: KEY_ARN });
    grant(rotation, role, fn);
    app.synth();
    return {
      consumers: JSON.parse(Testing.synth(consumers)) as TfJson,
      tokens: JSON.parse(Testing.synth(tokens)) as TfJson,
    };
  }

  test.each([
    [
      "grantReadToFunction(fn)",
      (r: TogaiTokenRotation, _: IamRole, fn: LambdaFunction) => r.grantReadToFunction(fn),
    ],
    ["grantRead(role)", (r: TogaiTokenRotation, role: IamRole) => r.grantRead(role)],
  ])(
    "invariant: %s to a role in another stack puts the policy in the role's stack (no stack cycle)",
    (_, grant) => {
      const { consumers, tokens } = synthTwoStacks(grant);
      expect(readGrants(tokens)).toEqual([]);
      const [policy] = readGrants(consumers);
      expect(policy.role).toBe("${aws_iam_role.Role.name}");
      expect(policy.policy).toContain("terraform_remote_state");
      expect(Object.keys(tokens.data?.terraform_remote_state ?? {})).toEqual([]);
    },
  );
});
