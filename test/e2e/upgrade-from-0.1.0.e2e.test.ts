/**
 * Upgrades replace nothing by surprise. The README's stack (main.ts as written there) is
 * synthesized with release 0.1.0, packed from its commit with its own build, and applied to
 * moto; then the same main.ts is synthesized with the working tree and `terraform plan` runs on
 * that state. The plan must destroy or replace no secret, function, role, rotation or schedule:
 * only a consumer's grant policy may go, and only when CHANGELOG.md names its address (a
 * recorded decision, with what a user does about it).
 *
 * The commit, not the tag `0.1.0`, is named: a fresh clone may not have fetched the tag.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_DIR, readmeTypeScriptSnippets } from "../package/project-tools";
import { type MotoServer, useMotoSecrets } from "../support/moto-server";
import {
  type PlannedChange,
  plannedChanges,
  removals,
  unrecordedRemovals,
} from "../support/plan-changes";
import { packCommit, stackProject, synthProject } from "../support/released-package";
import { terraform } from "../support/terraform";

jest.setTimeout(300_000);

const RELEASE_0_1_0 = "4c34198df071fd8856bcc2e446a93789cc2975bd";
const STACK = "billing";
const STATE = `terraform.${STACK}.tfstate`;

let work: string;
let moto: MotoServer;
let appliedResources: string[] = [];
let changes: PlannedChange[] = [];
const changelog = readFileSync(join(PROJECT_DIR, "CHANGELOG.md"), "utf8");

describe("the README's stack, deployed with 0.1.0, planned with the working tree", () => {
  // Terraform gets moto's environment explicitly: this process's stays as it is.
  const servers = useMotoSecrets({ setAwsEnv: false });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "togai-upgrade-"));
    const mainTs = readmeTypeScriptSnippets()[0];
    ({ moto } = servers);
    const tf = (args: string[], dir: string) =>
      terraform([...args, "-input=false", "-no-color"], dir, moto.awsEnv);

    const released = packCommit(RELEASE_0_1_0, work);
    const releasedProject = stackProject(join(work, "v0.1.0"), mainTs, released);
    const before = synthProject(releasedProject, STACK);
    await tf(["init"], before);
    await tf(["apply", "-auto-approve"], before);
    appliedResources = JSON.parse(
      (await terraform(["show", "-json", "-no-color"], before, moto.awsEnv)).stdout,
    ).values.root_module.resources.map((r: { address: string }) => r.address);

    const upgradedProject = stackProject(join(work, "working-tree"), mainTs);
    const after = synthProject(upgradedProject, STACK);
    // Run outside the cdktf CLI, the local backend keeps the state in the app's folder.
    copyFileSync(join(releasedProject, STATE), join(upgradedProject, STATE));
    await tf(["init"], after);
    await tf(["plan", "-out=upgrade.tfplan"], after);
    changes = plannedChanges(
      (await terraform(["show", "-json", "-no-color", "upgrade.tfplan"], after, moto.awsEnv))
        .stdout,
    );
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("0.1.0 deployed the README's stack: both secrets, the function, its role, the rotation", () => {
    for (const type of [
      "aws_secretsmanager_secret.",
      "aws_lambda_function.",
      "aws_iam_role.",
      "aws_secretsmanager_secret_rotation.",
    ]) {
      expect(appliedResources.filter((a) => a.startsWith(type)).length).toBeGreaterThan(0);
    }
    expect(appliedResources.filter((a) => a.startsWith("aws_secretsmanager_secret.")).length).toBe(
      2,
    );
  });

  test("upgrading to the working tree destroys or replaces nothing CHANGELOG.md does not record", () => {
    const removed = removals(changes).map((c) => `${c.address} (${c.actions.join(", ")})`);
    process.stderr.write(`upgrade from 0.1.0 removes: ${removed.join("; ") || "nothing"}\n`);
    expect(unrecordedRemovals(changes, changelog)).toEqual([]);
  });

  test("every secret, the function, the roles and the rotation (its schedule) stay where they are", () => {
    const kept = changes.filter((c) => !c.actions.includes("delete")).map((c) => c.address);
    for (const address of appliedResources) {
      if (
        /^aws_(secretsmanager_secret|secretsmanager_secret_rotation|lambda_function|iam_role)\./.test(
          address,
        )
      ) {
        expect(kept).toContain(address);
      }
    }
  });
});

test("the check fails on a replaced secret, a destroyed role, and a grant CHANGELOG.md does not name", () => {
  const fabricated: PlannedChange[] = [
    {
      address: "aws_secretsmanager_secret.S",
      type: "aws_secretsmanager_secret",
      actions: ["delete", "create"],
    },
    { address: "aws_iam_role.R", type: "aws_iam_role", actions: ["delete"] },
    {
      address: "aws_iam_role_policy.T_ReadGrant-x_1",
      type: "aws_iam_role_policy",
      actions: ["delete"],
    },
    { address: "aws_lambda_function.F", type: "aws_lambda_function", actions: ["update"] },
  ];
  expect(unrecordedRemovals(fabricated, "")).toEqual([
    "aws_secretsmanager_secret.S (delete, create)",
    "aws_iam_role.R (delete)",
    "aws_iam_role_policy.T_ReadGrant-x_1 (delete)",
  ]);
  expect(unrecordedRemovals(fabricated, "`aws_iam_role_policy.T_ReadGrant-x_1`")).toHaveLength(2);
});
