/**
 * The bin entry (lib/cli/main.ts) loaded in-process with its argv and streams stubbed: it runs the
 * command line it was given and sets the exit code, also when the command itself throws. The
 * built bin as a child process: cli.int.test.ts.
 */
const original = { argv: process.argv, exitCode: process.exitCode };

afterEach(() => {
  process.argv = original.argv;
  process.exitCode = original.exitCode;
  jest.restoreAllMocks();
  jest.dontMock("../../lib/cli/cli");
  jest.resetModules();
});

/** Loads main.ts afresh with `args` and waits for the command to finish. */
async function runMain(args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  process.argv = ["node", "cdktf-togai", ...args];
  jest.isolateModules(() => {
    require("../../lib/cli/main");
  });
  // The command settles within a few turns of the event loop (no I/O for these arguments).
  for (let i = 0; i < 20 && process.exitCode === original.exitCode; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { stdout, stderr };
}

test("runs argv after node and the script; the exit code is the command's", async () => {
  const { version } = jest.requireActual<{ version: string }>("../../package.json");
  const { stdout } = await runMain(["--version"]);
  expect(stdout).toBe(`${version}\n`);
  expect(process.exitCode).toBe(0);
});

test("bad usage sets exit code 2", async () => {
  const { stderr } = await runMain(["deploy"]);
  expect(stderr).toContain('unknown command "deploy"');
  expect(process.exitCode).toBe(2);
});

test("a command that throws: its message on stderr, exit code 1", async () => {
  jest.doMock("../../lib/cli/cli", () => ({
    runCli: () => Promise.reject(new Error("unexpected failure")),
  }));
  const { stderr } = await runMain(["status"]);
  expect(stderr).toBe("cdktf-togai: unexpected failure\n");
  expect(process.exitCode).toBe(1);
});
