import { createHash } from "node:crypto";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import {
  DefaultTokenResolver,
  Fn,
  Lazy,
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
  roleName: string;
  byObject: boolean;
}

/**
 * The read grants of one token secret: one inline policy per grantee role, whatever the number,
 * order or form (role object, name, ARN, function) of the calls. A policy's construct id comes
 * from the role it is for, never from the call order, so reordering grants replaces nothing.
 * Its document is built at synth, so a later grant's statements land in an earlier policy.
 */
export class ReadGrants {
  private readonly byRole = new Map<string, RoleGrant>();

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
    const literal = role.nameInput;
    const key =
      literal !== undefined && !Token.isUnresolved(literal) ? literal : this.resolve(role.name);
    return this.grant(key, role.name, TerraformStack.of(role));
  }

  /** Grants to a role by name: a literal, or a reference that is matched to the role object. */
  toRoleName(roleName: string): TogaiReadGrant {
    if (!Token.isUnresolved(roleName)) return this.grant(roleName, roleName);
    const resolved = this.resolve(roleName);
    const role = this.findRole((r) => this.resolve(r.name) === resolved);
    return role ? this.toRole(role) : this.grant(resolved, roleName);
  }

  /** Grants to a role by ARN (same account). */
  toRoleArn(roleArn: string): TogaiReadGrant {
    if (!Token.isUnresolved(roleArn)) return this.toRoleName(roleArn.split("/").pop() as string);
    const resolved = this.resolve(roleArn);
    const role = this.findRole((r) => this.resolve(r.arn) === resolved);
    if (role) return this.toRole(role);
    // Only Terraform knows this ARN: take the name (after the last "/") at apply.
    const name = Fn.element(Fn.reverse(Fn.split("/", roleArn)), 0);
    return this.grant(`arn:${resolved}`, name);
  }

  /** `roleStack`: the stack of the role object, when the grant names one. */
  private grant(key: string, roleName: string, roleStack?: TerraformStack): TogaiReadGrant {
    const byObject = roleStack !== undefined;
    let entry = this.byRole.get(key);
    if (!entry) {
      const statements = new Map<string, PolicyStatement>();
      const ownStack = TerraformStack.of(this.scope);
      const policy = new IamRolePolicy(
        roleStack && roleStack !== ownStack ? roleStack : this.scope,
        roleStack && roleStack !== ownStack ? `${this.policyName}-${grantId(key)}` : grantId(key),
        {
          name: policyNameFor(this.policyName, key),
          role: roleName,
          policy: Lazy.stringValue({
            produce: () =>
              JSON.stringify({ Version: "2012-10-17", Statement: [...statements.values()] }),
          }),
        },
      );
      entry = { policy, statements, roleName, byObject };
      this.byRole.set(key, entry);
    } else if (byObject && !entry.byObject && roleStack === TerraformStack.of(entry.policy)) {
      // A reference to the role object makes Terraform create the role before the policy.
      entry.policy.role = roleName;
      entry.roleName = roleName;
      entry.byObject = true;
    }
    for (const statement of this.statements()) {
      entry.statements.set(statement.Sid ?? JSON.stringify(statement), statement);
    }
    return { policy: entry.policy, roleName: entry.roleName };
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

  private findRole(matches: (role: IamRole) => boolean): IamRole | undefined {
    return this.scope.node.root.node
      .findAll()
      .find((c): c is IamRole => c instanceof IamRole && matches(c));
  }
}

const LITERAL_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * The inline policy's name: for a literal role name the base name; for a role only Terraform
 * knows (a variable, another resource's attribute) the base plus a hash of the expression, so
 * that two grants reaching one role through different expressions (a name variable and an ARN
 * variable, say) make two policies of different names, never two resources managing one policy.
 */
function policyNameFor(base: string, key: string): string {
  if (LITERAL_ROLE_NAME.test(key)) return base;
  return `${base}-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}

/** A construct id from the role: its name when literal, else a hash of its expression. */
function grantId(key: string): string {
  if (LITERAL_ROLE_NAME.test(key)) return `ReadGrant-${key}`;
  return `ReadGrant-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}
