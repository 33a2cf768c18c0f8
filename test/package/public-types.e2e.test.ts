/**
 * Invariant: every type a user meets through the public API (a construct prop, a method's
 * parameter or result, a runtime option) can be imported by name from the entry point that
 * gave it, so users can declare variables and helper functions of that type.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_DIR } from "./project-tools";
import { findUnexportedTypes } from "./public-api-walker";

const ENTRIES = {
  "cdktf-togai": join(PROJECT_DIR, "lib", "index.ts"),
  "cdktf-togai/runtime": join(PROJECT_DIR, "lib", "runtime", "index.ts"),
  "cdktf-togai/contract": join(PROJECT_DIR, "lib", "contract.ts"),
};

describe("public types", () => {
  test.each(Object.entries(ENTRIES))(
    "%s exports every type its public API uses",
    (_name, entry) => {
      const report = findUnexportedTypes([entry], PROJECT_DIR);
      expect(report.get(entry)).toEqual([]);
    },
  );

  test("the walker finds a prop type that is used but not exported (it can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "togai-walker-"));
    writeFileSync(
      join(dir, "hidden.ts"),
      [
        "export interface Hidden { readonly topic: string }",
        "export interface Deep { readonly list: readonly Hidden[] }",
        "export interface Props { readonly deep?: Deep; readonly cb?: (h: Hidden) => void }",
        "export class Widget { constructor(readonly props: Props) {} find(): Promise<Deep> { return Promise.resolve({ list: [] }); } }",
      ].join("\n"),
    );
    const entry = join(dir, "index.ts");
    writeFileSync(entry, 'export { Widget, type Props } from "./hidden";\n');
    try {
      const missing = findUnexportedTypes([entry], dir).get(entry) ?? [];
      expect(missing.map((m) => m.name).sort()).toEqual(["Deep", "Hidden"]);
      expect(missing.find((m) => m.name === "Deep")?.usedBy).toBe("Props.deep");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
