/**
 * Point 4, no 401 storm. Invariant: a process sends at most two requests with a token Togai
 * rejected (the first, and one after re-reading the secret) until the secret holds a different
 * token; calls in between fail at once with TogaiTokenRejectedError.
 */
import { TogaiIngestError, TogaiTokenRejectedError } from "../../lib/runtime/errors";
import { TogaiEventBuffer } from "../../lib/runtime/event-buffer";
import { putToken } from "../support/aws-fixtures";
import { leakedSecrets } from "../support/capture-output";
import { useServers } from "../support/servers";
import { TogaiStandIn } from "../support/togai-standin";
import { clientFor, event, failureOf } from "./client-harness";

// Rejections are counted here, so the stand-in's IP throttle is set out of the way.
const h = useServers({ secretKeys: [], unauthenticatedLimit: 10_000 });
/** Tokens with a valid shape that the stand-in did not sign: Togai answers 401. */
const foreign = new TogaiStandIn();

test("100 sequential calls with a rejected token: 2 rejected requests, 98 fast typed failures", async () => {
  const { client, arn, gets } = await clientFor(h, { tokenRecheckMs: 60_000 });
  const badToken = foreign.mintToken();
  await putToken(h.secrets, arn, badToken, h.togai.baseUrl);
  const before = h.togai.calls.rejected;

  const errors: Error[] = [];
  for (let i = 0; i < 100; i++) errors.push(await failureOf(client.ingest(event(i))));

  expect(h.togai.calls.rejected - before).toBe(2);
  expect(gets()).toBe(2); // the first read and the one re-read after the 401
  for (const error of errors) {
    expect(error).toBeInstanceOf(TogaiIngestError);
    expect(error.cause).toBeInstanceOf(TogaiTokenRejectedError);
  }
  expect(errors[99].message).toContain("until the secret holds a different token");
  expect(errors[99].message).toContain("cdktf-togai status");
  expect(leakedSecrets(errors.map((e) => e.message).join("\n"), [badToken])).toEqual([]);
  await client.close();
});

test("50 concurrent calls with a rejected token: still 2 rejected requests in all", async () => {
  const { client, arn } = await clientFor(h, { tokenRecheckMs: 60_000 });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);
  const before = h.togai.calls.rejected;

  const errors = await Promise.all(
    Array.from({ length: 50 }, (_, i) => failureOf(client.ingest(event(i)))),
  );

  expect(h.togai.calls.rejected - before).toBe(2);
  for (const error of errors) expect(error.cause).toBeInstanceOf(TogaiTokenRejectedError);
  await client.close();
});

test("a cached token Togai starts rejecting: one re-read, the new token, no storm", async () => {
  const { client, arn, gets } = await clientFor(h);
  await client.ingest(event(0)); // token proven
  const rotated = h.togai.mintToken();
  await putToken(h.secrets, arn, rotated, h.togai.baseUrl);
  // Togai now refuses the cached token (as for a token minted with a deactivated key).
  h.togai.inject({ path: "/ingest", kind: "status", status: 401, times: 1 });

  const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => client.ingest(event(i + 1))));

  expect(ids).toHaveLength(20);
  expect(gets()).toBe(2);
  await client.close();
});

test("once the secret holds a different token, sending resumes after the recheck interval", async () => {
  const { client, arn } = await clientFor(h, { tokenRecheckMs: 200 });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);
  // The provider caches; a forced refresh happens on the first 401.
  await client.ingest(event(0)).catch(() => undefined);
  const rejectedAfterFirst = h.togai.calls.rejected;
  await putToken(h.secrets, arn, h.togai.mintToken(), h.togai.baseUrl);

  const fast = await failureOf(client.ingest(event(1))); // within the interval: no read, no send
  expect(fast.cause).toBeInstanceOf(TogaiTokenRejectedError);
  await new Promise((r) => setTimeout(r, 250));
  const id = await client.ingest(event(2));

  expect(id).toBe("evt-2");
  expect(h.togai.calls.rejected).toBe(rejectedAfterFirst);
  await client.close();
});

test("a buffered producer with a rejected token stops sending and reports every event", async () => {
  const { client, arn } = await clientFor(h, { tokenRecheckMs: 60_000 });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);
  const reported: string[] = [];
  const buffer = new TogaiEventBuffer({
    client,
    maxBatchSize: 10,
    maxConcurrentRequests: 1,
    onFailure: (failed) => reported.push(...failed.map((f) => f.id)),
  });
  const before = h.togai.calls.rejected;

  const ids = Array.from({ length: 100 }, (_, i) => buffer.add(event(i)));
  const result = await buffer.flush();

  expect(result.accepted).toBe(0);
  expect(result.failed.map((f) => f.id).sort()).toEqual([...ids].sort());
  expect(reported.sort()).toEqual([...ids].sort());
  expect(h.togai.calls.rejected - before).toBe(2);
  await client.close();
});
