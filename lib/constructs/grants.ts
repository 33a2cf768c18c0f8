import { createHash } from "node:crypto";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import {
  DefaultTokenResolver,
  Fn,
  Lazy,
  Op,
  StringConcat,
  TerraformStack,
  Token,
  Tokenization,
} from "cdktf";
import type { Construct } from "constructs";
import type { PolicyStatement } from "./policies";

/** What a `grantRead*` call created or extended, so that other resources can depend on it. */
export interface TogaiReadGrant {
  /**
   * The one inline policy that holds every read grant of this token secret to the grantee role.
   * Later grants to the same role add to it; they never create a second policy.
   */
  readonly policy: IamRolePolicy;
  /** The grantee role's name, as the policy names it (a Terraform reference when not literal). */
  readonly roleName: string;
}

interface RoleGrant {
  readonly policy: IamRolePolicy;
  readonly statements: Map<string, PolicyStatement>;
  /** Accounts of the literal role ARNs granted through this policy, checked at plan. */
  readonly accounts: Map<string, string>;
  /** The role's name when literal: a grant by that name shares this policy. */
  readonly literalName?: string;
  roleName: string;
  byObject: boolean;
}

/** One grant request: who the role is, and where its policy goes. */
interface GrantTarget {
  /** The stack the role is defined in (a role object or a reference to one), if any. */
  readonly roleStack?: TerraformStack;
  /** The role's literal name or Terraform expression: names the policy and its construct id. */
  readonly naming: string;
  /** The role's name as the policy's `role` attribute. */
  readonly roleName: string;
  readonly literalName?: string;
}

/**
 * The read grants of one token secret: one inline policy per grantee role, whatever the number,
 * order or form (role object, name, ARN, function) of the calls. A role is told apart by its
 * stack and its name or expression, so equal construct ids in two stacks (`new IamRole(this,
 * "Role")` in each) are two roles with two policies. A policy's construct id and name come from
 * the role's name or expression only (unchanged since 0.1.0 for roles of one stack), never from
 * the call order, so reordering grants replaces nothing. Its document is built at synth, so a
 * later grant's statements land in an earlier policy.
 */
export class ReadGrants {
  private readonly byRole = new Map<string, RoleGrant>();
  /** The deploying account, read once per stack that holds a literal-ARN grant's policy. */
  private readonly callers = new Map<TerraformStack, DataAwsCallerIdentity>();

  constructor(
    private readonly scope: Construct,
    /** Inline policy name: one per token secret, so that two token secrets never collide. */
    private readonly policyName: string,
    private readonly statements: () => PolicyStatement[],
  ) {}

  /**
   * Grants to a role defined in this app. A role in another stack gets its policy in its own
   * stack: that stack then depends on the token secret's stack, never the other way round, so it
   * can also use the token secret's ARN (as `grantReadToFunction` does) without a cycle.
   */
  toRole(role: IamRole): TogaiReadGrant {
    const literalName = literal(role.nameInput);
    return this.grant({
      roleStack: TerraformStack.of(role),
      naming: literalName ?? this.resolve(role.name),
      roleName: role.name,
      literalName,
    });
  }

  /** Grants to a role by name: a literal, or a reference that is matched to the role object. */
  toRoleName(roleName: string): TogaiReadGrant {
    if (!Token.isUnresolved(roleName)) {
      return this.grant({ naming: roleName, roleName, literalName: roleName });
    }
    const resolved = this.resolve(roleName);
    const origin = originStackOf(roleName);
    const role = this.findRole(origin, (r) => this.resolve(r.name) === resolved);
    return role ? this.toRole(role) : this.grant(this.byExpression(resolved, roleName, origin));
  }

  /**
   * Grants to a role by ARN. A literal ARN's account is checked at plan against the account the
   * stack deploys to: an inline policy can only be attached to a role of that account.
   */
  toRoleArn(roleArn: string): TogaiReadGrant {
    if (!Token.isUnresolved(roleArn)) {
      const grant = this.toRoleName(roleArn.split("/").pop() as string);
      this.requireSameAccount(roleArn);
      return grant;
    }
    const resolved = this.resolve(roleArn);
    const origin = originStackOf(roleArn);
    const role = this.findRole(origin, (r) => this.resolve(r.arn) === resolved);
    if (role) return this.toRole(role);
    // Only Terraform knows this ARN: take the name (after the last "/") at apply.
    const name = Fn.element(Fn.reverse(Fn.split("/", roleArn)), 0);
    return this.grant(this.byExpression(`arn:${resolved}`, name, origin));
  }

  /**
   * A role only Terraform knows, by an expression of this stack or of another one. An expression
   * from another stack is named with that stack's path, since the same expression (`var.role`)
   * in two stacks is two roles.
   */
  private byExpression(naming: string, roleName: string, origin?: TerraformStack): GrantTarget {
    const own = TerraformStack.of(this.scope);
    if (!origin || origin === own) return { naming, roleName };
    return { naming: `${origin.node.path}:${naming}`, roleName };
  }

  private grant(target: GrantTarget): TogaiReadGrant {
    const ownStack = TerraformStack.of(this.scope);
    const byObject = target.roleStack !== undefined;
    const roleStack = target.roleStack ?? ownStack;
    const key = `${roleStack.node.path}\u0000${target.naming}`;
    const entry = this.byRole.get(key) ?? this.sameLiteralName(key, target, byObject);
    if (!entry) {
      this.byRole.set(key, this.create(target, roleStack !== ownStack ? roleStack : undefined));
    } else if (byObject && !entry.byObject && roleStack === TerraformStack.of(entry.policy)) {
      // A reference to the role object makes Terraform create the role before the policy.
      entry.policy.role = target.roleName;
      entry.roleName = target.roleName;
      entry.byObject = true;
    }
    const granted = this.byRole.get(key) as RoleGrant;
    for (const statement of this.statements()) {
      granted.statements.set(statement.Sid ?? JSON.stringify(statement), statement);
    }
    return { policy: granted.policy, roleName: granted.roleName };
  }

  /**
   * A grant by a literal role name and a grant to a role object of that name in another stack
   * reach one IAM role when both stacks deploy to one account: they share one policy (the first
   * one made), so that two resources never manage one inline policy.
   */
  private sameLiteralName(key: string, target: GrantTarget, byObject: boolean) {
    if (target.literalName === undefined) return undefined;
    const shared = [...this.byRole.values()].find(
      (e) => e.literalName === target.literalName && e.byObject !== byObject,
    );
    if (shared) this.byRole.set(key, shared);
    return shared;
  }

  /** The policy of a new grantee: in the role's stack when that is another stack. */
  private create(target: GrantTarget, otherStack?: TerraformStack): RoleGrant {
    const statements = new Map<string, PolicyStatement>();
    const policy = new IamRolePolicy(
      otherStack ?? this.scope,
      otherStack ? `${this.policyName}-${grantId(target.naming)}` : grantId(target.naming),
      {
        name: policyNameFor(this.policyName, target.naming),
        role: target.roleName,
        policy: Lazy.stringValue({
          produce: () =>
            JSON.stringify({ Version: "2012-10-17", Statement: [...statements.values()] }),
        }),
      },
    );
    return {
      policy,
      statements,
      accounts: new Map(),
      literalName: target.literalName,
      roleName: target.roleName,
      byObject: otherStack !== undefined || target.roleStack !== undefined,
    };
  }

  /**
   * A literal role ARN names its account; the policy is attached by the provider of the stack it
   * is in, so the plan stops (before any change) when that provider deploys to another account.
   */
  private requireSameAccount(roleArn: string): void {
    const account = roleArn.split(":")[4];
    const name = roleArn.split("/").pop() as string;
    const key = `${TerraformStack.of(this.scope).node.path}\u0000${name}`;
    const entry = this.byRole.get(key) as RoleGrant; // toRoleName(name) has just set it
    if (entry.accounts.has(account)) return;
    entry.accounts.set(account, roleArn);
    const caller = this.callerOf(TerraformStack.of(entry.policy));
    entry.policy.lifecycle = {
      precondition: [...entry.accounts].map(([acct, arn]) => ({
        condition: Op.eq(caller.accountId, acct),
        errorMessage: crossAccountMessage(arn, acct),
      })),
    };
  }

  private callerOf(stack: TerraformStack): DataAwsCallerIdentity {
    let caller = this.callers.get(stack);
    if (!caller) {
      caller =
        stack === TerraformStack.of(this.scope)
          ? new DataAwsCallerIdentity(this.scope, "GrantAccount")
          : new DataAwsCallerIdentity(stack, `${this.policyName}-GrantAccount`);
      this.callers.set(stack, caller);
    }
    return caller;
  }

  /** A reference's Terraform expression (e.g. `${aws_iam_role.x.name}`): stable across calls. */
  private resolve(value: string): string {
    return String(
      Tokenization.resolve(value, {
        scope: this.scope,
        resolver: new DefaultTokenResolver(new StringConcat()),
        preparing: false,
      }),
    );
  }

  /** A role object of the stack a reference comes from (this stack when it names none). */
  private findRole(
    origin: TerraformStack | undefined,
    matches: (role: IamRole) => boolean,
  ): IamRole | undefined {
    const stack = origin ?? TerraformStack.of(this.scope);
    return stack.node
      .findAll()
      .find(
        (c): c is IamRole => c instanceof IamRole && TerraformStack.of(c) === stack && matches(c),
      );
  }
}

/** The error Terraform shows when a literal role ARN is not in the deploying account. */
export function crossAccountMessage(roleArn: string, account: string): string {
  return (
    `grantReadToRoleArn("${roleArn}"): that role is in account ${account}, not the account this ` +
    "stack deploys to, and an inline policy can only be attached to a role of the deploying " +
    "account. For a role of another account: add its ARN to crossAccountReadPrincipals (which " +
    "needs kmsKeyArn), and grant it secretsmanager:GetSecretValue on the token secret in that " +
    "account (grantRead(role) from a stack whose provider deploys there, or a policy of your own)."
  );
}

/** The stack a reference token points into, when it is a plain reference to a resource. */
function originStackOf(value: string): TerraformStack | undefined {
  for (const token of Tokenization.reverseString(value).tokens) {
    const origin = (token as { originStack?: unknown }).originStack;
    if (origin instanceof TerraformStack) return origin;
  }
  return undefined;
}

function literal(value: string | undefined): string | undefined {
  return value !== undefined && !Token.isUnresolved(value) ? value : undefined;
}

const LITERAL_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * The inline policy's name: for a literal role name the base name; for a role only Terraform
 * knows (a variable, another resource's attribute) the base plus a hash of the expression, so
 * that two grants reaching one role through different expressions (a name variable and an ARN
 * variable, say) make two policies of different names, never two resources managing one policy.
 */
function policyNameFor(base: string, naming: string): string {
  if (LITERAL_ROLE_NAME.test(naming)) return base;
  return `${base}-${createHash("sha256").update(naming).digest("hex").slice(0, 8)}`;
}

/** A construct id from the role: its name when literal, else a hash of its expression. */
function grantId(naming: string): string {
  if (LITERAL_ROLE_NAME.test(naming)) return `ReadGrant-${naming}`;
  return `ReadGrant-${createHash("sha256").update(naming).digest("hex").slice(0, 12)}`;
}
