import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import fc from "fast-check";
import { TogaiTokenRotation } from "../../lib";
import type { TfJson } from "../support/synth";

const KEY_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:billing/togai-key-AbCdEf";

const readGrants = (json: TfJson) =>
  Object.values<TfJson>(json.resource?.aws_iam_role_policy ?? {}).filter((p) =>
    p.name.startsWith("togai-token-reader-"),
  );

/** Every consumer stack writes the same construct ids: `Role` and `Fn`. */
function consumerStack(app: App, id: string) {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const role = new IamRole(stack, "Role", { assumeRolePolicy: "{}" });
  const fn = new LambdaFunction(stack, "Fn", {
    functionName: `consumer-${id}`,
    role: role.arn,
    runtime: "nodejs22.x",
    handler: "index.handler",
    filename: "consumer.zip",
  });
  return { stack, role, fn };
}

type Form = "grantRead" | "grantReadToFunction";

/** A token stack and `count` consumer stacks, granted in `order` with `form`. */
function synthConsumers(count: number, order: number[], form: Form) {
  const app = Testing.app();
  const tokensStack = new TerraformStack(app, "tokens");
  new AwsProvider(tokensStack, "aws", { region: "us-east-1" });
  const rotation = new TogaiTokenRotation(tokensStack, "Tokens", { apiKeySecretArn: KEY_ARN });
  const consumers = Array.from({ length: count }, (_, i) => consumerStack(app, `consumer${i}`));
  for (const i of order) {
    const c = consumers[i];
    if (form === "grantRead") rotation.grantRead(c.role);
    else rotation.grantReadToFunction(c.fn);
  }
  app.synth();
  return {
    tokens: JSON.parse(Testing.synth(tokensStack)) as TfJson,
    consumers: consumers.map((c) => JSON.parse(Testing.synth(c.stack)) as TfJson),
  };
}

describe("grants to consumer stacks with the same construct ids", () => {
  for (const form of ["grantRead", "grantReadToFunction"] as Form[]) {
    test.each([2, 3, 10])(
      `invariant: ${form} to %i consumer stacks gives each exactly one policy on its own role, in any order`,
      (count) => {
        fc.assert(
          fc.property(
            fc.shuffledSubarray(
              Array.from({ length: count }, (_, i) => i),
              { minLength: count, maxLength: count },
            ),
            (order) => {
              const { tokens, consumers } = synthConsumers(count, order, form);
              expect(readGrants(tokens)).toEqual([]);
              consumers.forEach((json, i) => {
                const policies = readGrants(json);
                expect({ stack: i, policies: policies.length }).toEqual({ stack: i, policies: 1 });
                expect(policies[0].role).toBe("${aws_iam_role.Role.name}");
                expect(JSON.parse(policies[0].policy).Statement[0].Sid).toBe("ReadTogaiToken");
                if (form === "grantReadToFunction") {
                  const fn = Object.values<TfJson>(json.resource.aws_lambda_function)[0];
                  expect(fn.environment.variables.TOGAI_TOKEN_SECRET_ARN).toContain(
                    "terraform_remote_state",
                  );
                }
              });
            },
          ),
          { numRuns: count === 10 ? 4 : 6, seed: 19 },
        );
      },
    );
  }
});

describe("grants by name, ARN and variable across stacks", () => {
  function twoConsumerApp() {
    const app = Testing.app();
    const tokensStack = new TerraformStack(app, "tokens");
    new AwsProvider(tokensStack, "aws", { region: "us-east-1" });
    const rotation = new TogaiTokenRotation(tokensStack, "Tokens", { apiKeySecretArn: KEY_ARN });
    const synth = (...stacks: TerraformStack[]) => {
      app.synth();
      return stacks.map((s) => JSON.parse(Testing.synth(s)) as TfJson);
    };
    return { app, tokensStack, rotation, synth };
  }

  test("roles of one literal name in two stacks (two accounts) get one policy each", () => {
    const { app, tokensStack, rotation, synth } = twoConsumerApp();
    const stacks = ["a", "b"].map((id) => {
      const stack = new TerraformStack(app, id);
      new AwsProvider(stack, "aws", { region: "us-east-1" });
      rotation.grantRead(new IamRole(stack, "Role", { name: "reader", assumeRolePolicy: "{}" }));
      return stack;
    });
    const [tokens, a, b] = synth(tokensStack, ...stacks);
    expect(readGrants(tokens)).toEqual([]);
    for (const json of [a, b])
      expect(readGrants(json).map((p) => p.role)).toEqual(["${aws_iam_role.Role.name}"]);
  });

  test("a grant by literal name shares the policy of a role object of that name in another stack", () => {
    for (const byNameFirst of [true, false]) {
      const { app, tokensStack, rotation, synth } = twoConsumerApp();
      const stack = new TerraformStack(app, "consumer");
      new AwsProvider(stack, "aws", { region: "us-east-1" });
      const role = new IamRole(stack, "Role", { name: "reader", assumeRolePolicy: "{}" });
      const grants = byNameFirst
        ? [rotation.grantReadToRoleName("reader"), rotation.grantRead(role)]
        : [rotation.grantRead(role), rotation.grantReadToRoleName("reader")];
      expect(grants[1].policy).toBe(grants[0].policy);
      const [tokens, consumer] = synth(tokensStack, stack);
      expect(readGrants(tokens).length + readGrants(consumer).length).toBe(1);
    }
  });

  test("the same variable name in two stacks is two roles: two policies, different ids and names", () => {
    const { app, tokensStack, rotation, synth } = twoConsumerApp();
    for (const id of ["a", "b"]) {
      const stack = new TerraformStack(app, id);
      new AwsProvider(stack, "aws", { region: "us-east-1" });
      const arn = new TerraformVariable(stack, "role_arn", { type: "string" });
      rotation.grantReadToRoleArn(arn.stringValue);
    }
    const [tokens] = synth(tokensStack);
    const policies = readGrants(tokens);
    expect(policies).toHaveLength(2);
    expect(new Set(policies.map((p) => p.name)).size).toBe(2);
    for (const p of policies) expect(p.role).toContain("terraform_remote_state");
  });

  test("a literal role ARN is checked at plan: a precondition on the deploying account, naming the ARN", () => {
    const { tokensStack, rotation, synth } = twoConsumerApp();
    const other = "arn:aws:iam::999999999999:role/reader";
    rotation.grantReadToRoleArn("arn:aws:iam::123456789012:role/reader");
    rotation.grantReadToRoleArn(other);
    rotation.grantReadToRoleArn(other);
    const [tokens] = synth(tokensStack);
    const [policy] = readGrants(tokens);
    expect(readGrants(tokens)).toHaveLength(1);
    const preconditions = policy.lifecycle.precondition;
    expect(preconditions.map((p: TfJson) => p.condition)).toEqual([
      '${(data.aws_caller_identity.Tokens_GrantAccount_9D1258B8.account_id == "123456789012")}',
      '${(data.aws_caller_identity.Tokens_GrantAccount_9D1258B8.account_id == "999999999999")}',
    ]);
    expect(preconditions[1].error_message).toContain(`grantReadToRoleArn("${other}")`);
    expect(preconditions[1].error_message).toContain("crossAccountReadPrincipals");
  });

  test("a literal ARN of a role object in another stack: the precondition reads that stack's account", () => {
    const { app, tokensStack, rotation, synth } = twoConsumerApp();
    const stack = new TerraformStack(app, "consumer");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    rotation.grantRead(new IamRole(stack, "Role", { name: "reader", assumeRolePolicy: "{}" }));
    rotation.grantReadToRoleArn("arn:aws:iam::123456789012:role/reader");
    const [tokens, consumer] = synth(tokensStack, stack);
    expect(readGrants(tokens)).toEqual([]);
    expect(tokens.data?.aws_caller_identity).toBeUndefined();
    const [policy] = readGrants(consumer);
    expect(policy.lifecycle.precondition[0].condition).toMatch(
      /^\$\{\(data\.aws_caller_identity\.togai-token-reader-[0-9a-f]{10}-GrantAccount\.account_id == "123456789012"\)\}$/,
    );
    expect(Object.keys(consumer.data.aws_caller_identity)).toHaveLength(1);
  });

  test("a role object or a name gets no account precondition (no data source either)", () => {
    const { tokensStack, rotation, synth } = twoConsumerApp();
    rotation.grantReadToRoleName("reader");
    const [tokens] = synth(tokensStack);
    expect(readGrants(tokens)[0].lifecycle).toBeUndefined();
    expect(tokens.data?.aws_caller_identity).toBeUndefined();
  });
});
