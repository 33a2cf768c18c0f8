/**
 * Reads `terraform show -json <plan>`: which resources a plan would destroy or replace, and
 * which of those a recorded decision (CHANGELOG.md) allows.
 */

export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  /** Terraform's actions: ["no-op"], ["update"], ["delete","create"] (replace), ["delete"], ... */
  readonly actions: readonly string[];
}

/** The resource changes of a plan's JSON (`terraform show -json plan`). */
export function plannedChanges(planJson: string): PlannedChange[] {
  const plan = JSON.parse(planJson) as {
    resource_changes?: Array<{ address: string; type: string; change: { actions: string[] } }>;
  };
  return (plan.resource_changes ?? []).map((c) => ({
    address: c.address,
    type: c.type,
    actions: c.change.actions,
  }));
}

/** Changes that destroy what a user has: a delete, alone or as part of a replacement. */
export function removals(changes: readonly PlannedChange[]): PlannedChange[] {
  return changes.filter((c) => c.actions.includes("delete"));
}

/**
 * The removals no decision allows: any but a consumer's grant policy (an `aws_iam_role_policy`
 * whose address names a read grant) that CHANGELOG.md lists by its address. A secret, the
 * function, a role, the rotation and its schedule may never go.
 */
export function unrecordedRemovals(changes: readonly PlannedChange[], changelog: string): string[] {
  return removals(changes)
    .filter(
      (c) =>
        !(
          c.type === "aws_iam_role_policy" &&
          /ReadGrant/.test(c.address) &&
          changelog.includes(`\`${c.address}\``)
        ),
    )
    .map((c) => `${c.address} (${c.actions.join(", ")})`);
}
