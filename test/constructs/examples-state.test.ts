/**
 * Upgrades replace nothing by surprise: the Terraform address and the name of every resource of
 * every example are committed in examples-state.snapshot.json, and any change fails here. A
 * changed address or name makes Terraform destroy and re-create that resource in every user's
 * state (for a secret: its value is gone), so a change must be a decision: recorded in
 * CHANGELOG.md with what a user does about it, and the snapshot then regenerated on purpose:
 *
 *   UPDATE_STATE_SNAPSHOT=1 npx jest test/constructs/examples-state.test.ts
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TerraformStack, Testing } from "cdktf";
import { BasicStack } from "../../examples/basic/main";
import { ExistingSecretStack } from "../../examples/existing-secret/main";
import { HardenedStack } from "../../examples/hardened/main";
import { OperationsStack } from "../../examples/operations/main";
import type { TfJson } from "../support/synth";

const SNAPSHOT = join(__dirname, "examples-state.snapshot.json");
const EXAMPLES_DIR = join(__dirname, "..", "..", "examples");

/** Each TypeScript example, by the folder it lives in (the Python one builds the same constructs). */
const examples: Record<string, (app: ReturnType<typeof Testing.app>) => TerraformStack> = {
  basic: (app) => new BasicStack(app, "togai-basic"),
  "basic (key from the ephemeral variable)": (app) =>
    new BasicStack(app, "togai-basic-wo", { keyFromEphemeralVariable: true }),
  "existing-secret": (app) => new ExistingSecretStack(app, "togai-existing-secret"),
  hardened: (app) => new HardenedStack(app, "togai-hardened"),
  operations: (app) => new OperationsStack(app, "togai-operations"),
};

/** The attributes that name a resource in AWS: a change of any of them replaces it. */
const NAME_ATTRIBUTES = [
  "name",
  "name_prefix",
  "function_name",
  "alarm_name",
  "statement_id",
  "target_id",
];

type StateShape = Record<
  string,
  { resources: Record<string, Record<string, unknown>>; outputs: string[] }
>;

/** Every resource's address with its naming attributes, and the output names, per example. */
function currentShape(): StateShape {
  const shape: StateShape = {};
  for (const [name, build] of Object.entries(examples)) {
    const json: TfJson = JSON.parse(Testing.synth(build(Testing.app())));
    const resources: Record<string, Record<string, unknown>> = {};
    for (const [type, byName] of Object.entries<TfJson>(json.resource ?? {})) {
      for (const [id, config] of Object.entries<TfJson>(byName)) {
        resources[`${type}.${id}`] = Object.fromEntries(
          NAME_ATTRIBUTES.filter((a) => config[a] !== undefined).map((a) => [a, config[a]]),
        );
      }
    }
    shape[name] = {
      resources: Object.fromEntries(
        Object.entries(resources).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      outputs: Object.keys(json.output ?? {}).sort(),
    };
  }
  return shape;
}

/** The differences between the committed and the current shape, one sentence each. */
function stateChanges(committed: StateShape, current: StateShape): string[] {
  const changes: string[] = [];
  for (const example of new Set([...Object.keys(committed), ...Object.keys(current)])) {
    const before = committed[example];
    const after = current[example];
    if (!before || !after) {
      changes.push(`${example}: example ${before ? "removed" : "added"}`);
      continue;
    }
    for (const address of new Set([
      ...Object.keys(before.resources),
      ...Object.keys(after.resources),
    ])) {
      const was = before.resources[address];
      const is = after.resources[address];
      if (!is) changes.push(`${example}: ${address} is gone (Terraform destroys it)`);
      else if (!was) changes.push(`${example}: ${address} is new`);
      else if (JSON.stringify(was) !== JSON.stringify(is)) {
        changes.push(
          `${example}: ${address} is renamed from ${JSON.stringify(was)} to ${JSON.stringify(is)} (Terraform replaces it)`,
        );
      }
    }
    const lost = before.outputs.filter((o) => !after.outputs.includes(o));
    const gained = after.outputs.filter((o) => !before.outputs.includes(o));
    if (lost.length) changes.push(`${example}: outputs removed: ${lost.join(", ")}`);
    if (gained.length) changes.push(`${example}: outputs added: ${gained.join(", ")}`);
  }
  return changes;
}

function committedShape(): StateShape {
  try {
    return JSON.parse(readFileSync(SNAPSHOT, "utf8"));
  } catch (error) {
    throw new Error(
      `the committed snapshot ${SNAPSHOT} cannot be read (${(error as Error).message}); create it with UPDATE_STATE_SNAPSHOT=1 npx jest test/constructs/examples-state.test.ts`,
    );
  }
}

test("every TypeScript example is in the snapshot", () => {
  const folders = readdirSync(EXAMPLES_DIR).filter((d) => {
    try {
      return readFileSync(join(EXAMPLES_DIR, d, "main.ts")).length > 0;
    } catch {
      return false;
    }
  });
  expect(folders.sort()).toEqual(
    [...new Set(Object.keys(examples).map((e) => e.split(" ")[0]))].sort(),
  );
});

test("no example's resource address, resource name or output name changed", () => {
  const current = currentShape();
  if (process.env.UPDATE_STATE_SNAPSHOT === "1") {
    if (process.env.CI)
      throw new Error("UPDATE_STATE_SNAPSHOT is refused in CI: update on purpose, locally");
    writeFileSync(SNAPSHOT, `${JSON.stringify(current, null, 2)}\n`);
  }
  const changes = stateChanges(committedShape(), current);
  if (changes.length > 0) {
    throw new Error(
      [
        "The examples' Terraform addresses or resource names changed. This changes users' state:",
        "a changed address or name makes Terraform destroy and re-create the resource (a secret",
        "loses its value, consumers lose access). If the change is intended, record it in",
        "CHANGELOG.md (what changes and what a user does about it), then update the snapshot",
        "deliberately: UPDATE_STATE_SNAPSHOT=1 npx jest test/constructs/examples-state.test.ts",
        "",
        ...changes.map((c) => `  - ${c}`),
      ].join("\n"),
    );
  }
  expect(current).toEqual(committedShape());
});

test("the comparison sees a rename, a removal, an addition and an output change", () => {
  const committed = committedShape();
  const changed: StateShape = JSON.parse(JSON.stringify(committed));
  const basic = changed.basic;
  const [first, second] = Object.keys(basic.resources);
  basic.resources[first] = { ...basic.resources[first], name: "renamed" };
  delete basic.resources[second];
  basic.resources["aws_secretsmanager_secret.Added"] = {};
  basic.outputs = [...basic.outputs.slice(1), "new_output"];
  expect(stateChanges(committed, changed)).toEqual([
    expect.stringContaining(`basic: ${first} is renamed from`),
    `basic: ${second} is gone (Terraform destroys it)`,
    "basic: aws_secretsmanager_secret.Added is new",
    `basic: outputs removed: ${committed.basic.outputs[0]}`,
    "basic: outputs added: new_output",
  ]);
  expect(stateChanges(committed, committed)).toEqual([]);
});
