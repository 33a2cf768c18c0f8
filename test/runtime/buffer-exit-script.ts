/**
 * A plain Node script using the buffer, run as a child process by event-buffer-exit.int.test.ts:
 * `no-flush` adds one event and ends; `flush` adds one and awaits flush(), then prints its result;
 * `rejecting-on-failure` does the same with an async onFailure that rejects (a dead-letter write
 * that fails).
 */
import { TogaiClient } from "../../lib/runtime/client";
import { TogaiEventBuffer } from "../../lib/runtime/event-buffer";

const [mode, id] = process.argv.slice(2);
const tokenSecret = {
  token: process.env.STANDIN_TOKEN as string,
  issuedAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  apiBaseUrl: process.env.STANDIN_URL as string,
};
const client = new TogaiClient({
  tokens: { getTokenSecret: async () => tokenSecret, forceRefresh: async () => tokenSecret.token },
});
const buffer = new TogaiEventBuffer({
  client,
  maxBatchDelayMs: 600_000,
  onFailure:
    mode === "rejecting-on-failure"
      ? async () => {
          await new Promise((r) => setTimeout(r, 10));
          throw new Error("dead-letter queue unavailable");
        }
      : undefined,
});
buffer.add({
  id,
  schemaName: "api_calls",
  timestamp: "2026-11-28T08:00:00Z",
  accountId: "acct-1",
  attributes: [{ name: "calls", value: "1" }],
  dimensions: {},
});
if (mode !== "no-flush") {
  buffer.flush().then(async (result) => {
    process.stdout.write(JSON.stringify(result));
    await client.close();
  });
}
