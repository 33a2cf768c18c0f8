// The unit lane (`npm run test:unit`, files named `*.test.ts`) runs without a build, moto_server
// or Terraform. requireTool() refuses there, naming the lane as the fix, and the constructs get a
// placeholder in place of the rotation zip `npm run build` makes: the unit lane tests what they
// synthesize, the integration lane the zip itself (test/constructs/rotation-bundle.int.test.ts).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.TOGAI_TEST_LANE = "unit";

jest.mock("../../lib/constructs/rotation-asset", () => {
  const actual = jest.requireActual("../../lib/constructs/rotation-asset");
  // One folder for every test file and run (same bytes each time), not a new one each; the
  // file keeps the zip's name, which the synthesized asset path shows.
  const folder = join(tmpdir(), "cdktf-togai-unit-lane");
  const zipPath = join(folder, "rotation-function.zip");
  const bytes = Buffer.from("placeholder for the rotation zip in the unit lane");
  mkdirSync(folder, { recursive: true });
  if (!existsSync(zipPath)) writeFileSync(zipPath, bytes);
  const sourceCodeHash = createHash("sha256").update(bytes).digest("base64");
  return { ...actual, rotationBundle: () => ({ zipPath, sourceCodeHash }) };
});
