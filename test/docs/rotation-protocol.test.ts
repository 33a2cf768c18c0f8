/**
 * The rotation protocol's rules live in one numbered document, docs/rotation-protocol.md, and
 * every "rule N" the code names points into it: a number the document does not hold fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
const DOC = join(ROOT, "docs", "rotation-protocol.md");

/** The rule numbers the document defines: its numbered list items, in order. */
function documentedRules(markdown: string): number[] {
  return [...markdown.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
}

/** Every rule number a text names: "rule 5", "Rules 3 and 4", "rules 1 to 5", "rules 11-12". */
function referencedRules(text: string): number[] {
  const found: number[] = [];
  for (const m of text.matchAll(/\brules?\s+(\d+(?:\s*(?:,|and|to|-|–)\s*\d+)*)/gi)) {
    const parts = m[1].split(/\s*(,|and|to|-|–)\s*/).filter((p) => p.trim() !== "");
    for (let i = 0; i < parts.length; i++) {
      if (/^(to|-|–)$/.test(parts[i])) {
        for (let n = Number(parts[i - 1]) + 1; n < Number(parts[i + 1]); n++) found.push(n);
      } else if (/^\d+$/.test(parts[i])) found.push(Number(parts[i]));
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

test("the document numbers its rules 1, 2, 3, ... without a gap or a repeat", () => {
  const rules = documentedRules(readFileSync(DOC, "utf8"));
  expect(rules.length).toBeGreaterThanOrEqual(17);
  expect(rules).toEqual(rules.map((_, i) => i + 1));
});

test("every rule the code in lib/ names is a rule of docs/rotation-protocol.md", () => {
  const rules = new Set(documentedRules(readFileSync(DOC, "utf8")));
  const dangling: string[] = [];
  let references = 0;
  for (const file of sourceFiles(join(ROOT, "lib"))) {
    for (const n of referencedRules(readFileSync(file, "utf8"))) {
      references++;
      if (!rules.has(n)) dangling.push(`${relative(ROOT, file)} names rule ${n}`);
    }
  }
  expect(dangling).toEqual([]);
  expect(references).toBeGreaterThan(20);
});

test("the reference finder reads every form the code uses, and so can fail", () => {
  expect(referencedRules("Rule 1: x. Rules 3 and 4; rules 6 and 8 (rule 15)")).toEqual([
    1, 3, 4, 6, 8, 15,
  ]);
  expect(referencedRules("rules 1 to 5 were checked; Rules 11-12")).toEqual([
    1, 2, 3, 4, 5, 11, 12,
  ]);
  expect(referencedRules("an EventBridge rule on CloudTrail events")).toEqual([]);
  expect(documentedRules("1. a\n2. b\n   3. not a rule\n")).toEqual([1, 2]);
});

test("the code points to the document, never to a private copy of the list", () => {
  const handler = readFileSync(join(ROOT, "lib", "function", "rotation-handler.ts"), "utf8");
  expect(handler).toContain("docs/rotation-protocol.md");
  for (const file of sourceFiles(join(ROOT, "lib"))) {
    expect(readFileSync(file, "utf8")).not.toMatch(/rotation-protocol rule/);
  }
});
