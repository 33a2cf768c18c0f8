/** TogaiClient against the Togai stand-in, with tokens read from moto_server. */
import { TogaiClient } from "../../lib/runtime/client";
import {
  InvalidEventError,
  TogaiIngestError,
  TogaiTokenRejectedError,
} from "../../lib/runtime/errors";
import type { TogaiEvent } from "../../lib/runtime/event-validation";
import { TogaiAuthenticationError } from "../../lib/togai/errors";
import { leakedSecrets, OutputCapture } from "../support/capture-output";
import { useServers } from "../support/servers";
import { clientFor, event, failureOf } from "./client-harness";

const h = useServers();
const output = new OutputCapture();
const errorMessages: string[] = [];

// Declared after the servers' hooks: the capture starts once they run, and the scan runs when
// every token the stand-in issued is known.
beforeAll(() => {
  output.start();
});
afterAll(() => {
  const text = output.stop() + errorMessages.join("\n");
  expect(leakedSecrets(text, h.togai.issuedTokens)).toEqual([]);
});

const setup = (options: Parameters<typeof clientFor>[1] = {}) => clientFor(h, options);

/** The call's failure; its message joins the text searched for tokens. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await failureOf(promise);
  errorMessages.push(error.message);
  return error;
}

test("1,234 events make 3 batch requests that the stand-in's schema check accepts", async () => {
  const { client } = await setup();
  const before = { batches: h.togai.calls.ingestBatch, events: h.togai.events.length };

  const result = await client.ingestBatch(Array.from({ length: 1234 }, (_, i) => event(i)));

  expect(result).toMatchObject({ accepted: 1234, requests: 3 });
  expect(result.ids).toEqual(Array.from({ length: 1234 }, (_, i) => `evt-${i}`));
  expect(h.togai.calls.ingestBatch - before.batches).toBe(3);
  expect(h.togai.events.length - before.events).toBe(1234);
  expect(h.togai.credentialKinds.at(-1)).toEqual({ path: "/ingestBatch", kind: "token" });
  await client.close();
});

test("one event goes to /ingest with the token", async () => {
  const { client } = await setup();
  const before = h.togai.calls.ingest;

  expect(await client.ingest(event(1))).toBe("evt-1");

  expect(h.togai.calls.ingest - before).toBe(1);
  expect(h.togai.events.at(-1)).toEqual(event(1));
  await client.close();
});

test("429 then success: a fresh client's first batch request waits out the back-off and is retried", async () => {
  // The token is new, so the 429s back the client off (tokenRecheckMs, doubling) and it waits.
  const { client } = await setup({ tokenRecheckMs: 50 });
  h.togai.inject({ path: "/ingestBatch", kind: "status", status: 429, times: 2 });
  const before = h.togai.calls.ingestBatch;

  const result = await client.ingestBatch([event(1), event(2)]);

  expect(result.requests).toBe(3);
  expect(h.togai.calls.ingestBatch - before).toBe(3);
  await client.close();
});

test("503 and a reset connection are retried too", async () => {
  const { client } = await setup();
  h.togai.inject({ path: "/ingest", kind: "status", status: 503 });
  h.togai.inject({ path: "/ingest", kind: "reset" });
  const before = h.togai.calls.ingest;

  await client.ingest(event(3));

  expect(h.togai.calls.ingest - before).toBe(3);
  await client.close();
});

test("a 401 causes exactly one token refresh and one retry", async () => {
  const { client, gets } = await setup();
  await client.ingest(event(1));
  expect(gets()).toBe(1);
  h.togai.inject({ path: "/ingest", kind: "status", status: 401 });
  const before = h.togai.calls.ingest;

  await client.ingest(event(2));

  expect(gets()).toBe(2);
  expect(h.togai.calls.ingest - before).toBe(2);
  await client.close();
});

test("a second 401 after the refresh fails with an authentication error that holds no token", async () => {
  const { client, gets } = await setup();
  h.togai.inject({ path: "/ingest", kind: "status", status: 401, times: 2 });

  const error = await failure(client.ingest(event(1)));

  expect(error).toBeInstanceOf(TogaiIngestError);
  expect(error.cause).toBeInstanceOf(TogaiTokenRejectedError);
  expect(error.cause).toBeInstanceOf(TogaiAuthenticationError);
  expect((error as TogaiIngestError).failed).toEqual([
    expect.objectContaining({ index: 0, id: "evt-1", retryable: true }),
  ]);
  expect(error.message).toContain("Togai rejected the token in the token secret");
  expect(gets()).toBe(2);
  await client.close();
});

test("invalid events are rejected before any request, naming the event and field", async () => {
  const { client } = await setup();
  const before = h.togai.calls.ingestBatch + h.togai.calls.ingest;
  const bad = [
    event(0),
    event(1, { attributes: [{ name: "calls", value: 12 as unknown as string }] }),
  ];

  const error = await failure(client.ingestBatch(bad));
  expect(error).toBeInstanceOf(InvalidEventError);
  expect(error.message).toBe(
    'Event 1 (id "evt-1"): attributes[0].value must be a string of digits such as "12" or "-3.5", got 12 (number)',
  );
  expect((error as InvalidEventError).field).toBe("attributes[0].value");

  const cases: Array<[Partial<TogaiEvent> & Record<string, unknown>, string]> = [
    [
      { attributes: Array.from({ length: 11 }, () => ({ name: "a", value: "1" })) },
      "attributes must hold at most 10 attributes",
    ],
    [{ timestamp: "yesterday" }, "timestamp must be an ISO 8601 date-time"],
    [{ schemaName: "" }, "schemaName must be a string of 1 to 50 characters"],
    [{ dimensions: { region: "" } }, "dimensions.region must be a string of 1 to 200 characters"],
    [{ eventName: "old" } as Record<string, unknown>, "eventName is not a field of Togai's Event"],
  ];
  for (const [override, message] of cases) {
    await expect(client.ingest(event(5, override))).rejects.toThrow(message);
  }
  expect(h.togai.calls.ingestBatch + h.togai.calls.ingest).toBe(before);
  await client.close();
});

test("a 207 tells the caller which events failed", async () => {
  const { client } = await setup({ maxBatchSize: 10 });
  h.togai.inject({ path: "/ingestBatch", kind: "partial", failIndexes: [2, 5] });

  const error = await failure(client.ingestBatch(Array.from({ length: 25 }, (_, i) => event(i))));

  expect(error).toBeInstanceOf(TogaiIngestError);
  const ingestError = error as TogaiIngestError;
  expect(ingestError.accepted).toHaveLength(23);
  expect(ingestError.accepted[0]).toEqual({ index: 0, id: "evt-0" });
  expect(ingestError.failed.map((f) => [f.index, f.id])).toEqual([
    [2, "evt-2"],
    [5, "evt-5"],
  ]);
  await client.close();
});

test("a batch Togai refuses outright is reported per event, others still go", async () => {
  const { client } = await setup({ maxBatchSize: 2, maxConcurrentRequests: 1 });
  h.togai.inject({
    path: "/ingestBatch",
    kind: "status",
    status: 422,
    body: JSON.stringify({ message: "Payload too large" }),
  });

  const error = (await failure(
    client.ingestBatch([event(0), event(1), event(2)]),
  )) as TogaiIngestError;

  expect(error.failed.map((f) => f.index)).toEqual([0, 1]);
  expect(error.failed[0].reason).toContain("HTTP 422: Payload too large");
  expect(error.failed[0].retryable).toBe(false);
  expect(error.accepted).toEqual([{ index: 2, id: "evt-2" }]);
  await client.close();
});

test("an aborted call stops", async () => {
  const { client } = await setup();
  h.togai.inject({ path: "/ingest", kind: "slow", delayMs: 2000 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);

  const error = await failure(client.ingest(event(1), { signal: controller.signal }));

  expect(error).toBeInstanceOf(TogaiIngestError);
  expect((error.cause as Error).name).toMatch(/AbortError/);
  await client.close();
});

test("maxBatchSize outside 1..500 is refused, also under its deprecated name batchSize", async () => {
  const { tokens } = await setup();
  expect(() => new TogaiClient({ tokens, maxBatchSize: 0 })).toThrow(
    "maxBatchSize must be a whole number from 1 to 500, got 0",
  );
  expect(() => new TogaiClient({ tokens, batchSize: 501 })).toThrow(
    "batchSize must be a whole number from 1 to 500, got 501",
  );
});

test("the deprecated batchSize still sets the events per request", async () => {
  const { client } = await setup({ batchSize: 2 });
  const before = h.togai.calls.ingestBatch;

  const result = await client.ingestBatch(Array.from({ length: 5 }, (_, i) => event(i + 4_000)));

  expect(result.accepted).toBe(5);
  expect(h.togai.calls.ingestBatch - before).toBe(3);
  await client.close();
});
