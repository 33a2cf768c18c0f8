import { spawnSync } from "node:child_process";

/**
 * Fails with a message naming the tool when it is not on PATH: a test that needs terraform or
 * moto_server must fail loudly, never skip.
 */
export function requireTool(name: string, installHint: string): void {
  if (process.env.TOGAI_TEST_LANE === "unit") {
    throw new Error(
      `${name} is needed by a test in the unit lane, which runs without it: name the test file *.int.test.ts (moto_server, servers, the built zip) or *.e2e.test.ts (Terraform, packed tarball)`,
    );
  }
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status !== 0) {
    throw new Error(`${name} is required by this test but is not on PATH: ${installHint}`);
  }
}
