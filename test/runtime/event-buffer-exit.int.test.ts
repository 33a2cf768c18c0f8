/**
 * The buffer's delay timer does not keep a process alive, and overlapping flushes agree.
 * Invariants: a script that ends without flush() exits at once (its events are not sent, as
 * documented: flush before exit), one that awaits flush() delivers every event before exiting;
 * overlapping flush() calls resolve to the same result, which covers every event added before
 * either call, so no accepted or failed event is missing from what a caller awaited.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { TogaiEventBuffer } from "../../lib/runtime/event-buffer";
import { useServers } from "../support/servers";
import { clientFor, event } from "./client-harness";

const h = useServers();

/** Runs the script under Node with tsx; killed after 60 s (the timer would hold it 600 s). */
async function runScript(mode: string, id: string) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(__dirname, "buffer-exit-script.ts"), mode, id],
    {
      env: { ...process.env, STANDIN_URL: h.togai.baseUrl, STANDIN_TOKEN: h.togai.mintToken() },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once("close", (c, s) => resolve([c, s])),
  );
  return { code, signal, out, err };
}

test("a script that adds without flush() ends at once: the delay timer does not hold it", async () => {
  const run = await runScript("no-flush", "exit-no-flush");

  expect(run).toMatchObject({ code: 0, signal: null });
  expect(h.togai.idsSeen.get("exit-no-flush")).toBeUndefined();
}, 90_000);

test("a script that awaits flush() delivers before it ends", async () => {
  const run = await runScript("flush", "exit-flush");

  expect(run).toMatchObject({ code: 0, signal: null });
  expect(JSON.parse(run.out)).toEqual({ accepted: 1, failed: [] });
  expect(h.togai.idsSeen.get("exit-flush")).toBe(1);
}, 90_000);

test("an async onFailure that rejects neither ends the process nor loses the flush result: reported once on stderr", async () => {
  h.togai.inject({ path: "/ingestBatch", kind: "status", status: 400 });

  const run = await runScript("rejecting-on-failure", "exit-rejecting");

  expect(run).toMatchObject({ code: 0, signal: null });
  const result = JSON.parse(run.out);
  expect(result.accepted).toBe(0);
  expect(result.failed.map((f: { id: string; retryable: boolean }) => [f.id, f.retryable])).toEqual(
    [["exit-rejecting", false]],
  );
  expect(run.err.match(/onFailure failed \(Error: dead-letter queue unavailable\)/g)).toHaveLength(
    1,
  );
}, 90_000);

test("two overlapping flush() calls resolve to the same full result", async () => {
  const { client } = await clientFor(h, { maxAttempts: 1 });
  const buffer = new TogaiEventBuffer({ client, maxBatchSize: 10, maxConcurrentRequests: 1 });
  h.togai.inject({ path: "/ingestBatch", kind: "status", status: 500, times: 1 });
  for (let i = 0; i < 25; i++) buffer.add(event(i + 7_000));
  const first = buffer.flush();
  for (let i = 25; i < 30; i++) buffer.add(event(i + 7_000)); // pending when the second is called
  const second = buffer.flush();

  const [a, b] = await Promise.all([first, second]);

  // Before: the second flush resolved to { accepted: 0, failed: [] }.
  expect(b).toEqual(a);
  expect(a.accepted).toBe(20);
  expect(a.failed.map((f) => f.id)).toEqual(
    Array.from({ length: 10 }, (_, i) => `evt-${i + 7_000}`),
  );
  expect(await buffer.flush()).toEqual({ accepted: 0, failed: [] });
  await client.close();
});
