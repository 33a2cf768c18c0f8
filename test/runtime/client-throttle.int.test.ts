/**
 * Togai throttles an IP (429) after 5 rejected credentials in 30 minutes; the stand-in does the
 * same with its default limit. Invariant: a client sends at most one request per back-off
 * interval with a token Togai has not accepted while it answers 429 to it (the interval doubles
 * while the 429s go on); calls in between fail at once with TogaiTokenThrottledError, which says
 * what to check; a token Togai accepts ends the back-off.
 */
import { type TogaiIngestError, TogaiTokenThrottledError } from "../../lib/runtime/errors";
import { putToken } from "../support/aws-fixtures";
import { TogaiStandIn } from "../support/togai-standin";
import { clientFor, event, failureOf, useServers } from "./client-harness";

const h = useServers({ secretKeys: [], rateLimits: false });
/** Tokens with a valid shape that the stand-in did not sign: Togai answers 401. */
const foreign = new TogaiStandIn();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("behind a throttled IP, 20 calls with a rejected token send 1 request, then 1 per doubling interval", async () => {
  // Three earlier processes, each sending its two rejected requests: the IP is now throttled.
  for (let p = 0; p < 3; p++) {
    const { client, arn } = await clientFor(h, { tokenRecheckMs: 60_000 });
    await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);
    await client.ingest(event(p)).catch(() => undefined);
    await client.close();
  }
  const statuses: number[] = [];
  const { client, arn } = await clientFor(h, {
    tokenRecheckMs: 300,
    onRequest: (info) => statuses.push(info.status),
  });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);

  const errors: Error[] = [];
  for (let i = 0; i < 20; i++) errors.push(await failureOf(client.ingest(event(i))));

  // Before: 74 requests for these 20 calls.
  expect(statuses).toEqual([429]);
  for (const error of errors) expect(error.cause).toBeInstanceOf(TogaiTokenThrottledError);
  const throttled = errors[19].cause as TogaiTokenThrottledError;
  expect(throttled.message).toContain("cdktf-togai status");
  expect(throttled.message).toContain("5 rejected credentials");
  expect(Date.parse(throttled.retryAt)).toBeGreaterThan(Date.now());

  // Time passes: one more request after the interval (300 ms), then the interval doubles.
  await sleep(350);
  await failureOf(client.ingest(event(20)));
  expect(statuses).toEqual([429, 429]);
  await sleep(350); // within the doubled interval (600 ms): no request
  expect((await failureOf(client.ingest(event(21)))).cause).toBeInstanceOf(
    TogaiTokenThrottledError,
  );
  expect(statuses).toEqual([429, 429]);
  await client.close();
});

test("a batch call behind the throttle stops at the first 429 and reports every event as retryable", async () => {
  const statuses: number[] = [];
  const { client, arn } = await clientFor(h, {
    batchSize: 10,
    onRequest: (info) => statuses.push(info.status),
  });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);

  const error = (await failureOf(
    client.ingestBatch(Array.from({ length: 100 }, (_, i) => event(i + 100))),
  )) as TogaiIngestError;

  expect(statuses).toEqual([429]);
  expect(error.accepted).toHaveLength(0);
  expect(error.failed).toHaveLength(100);
  expect(error.failed.every((f) => f.retryable)).toBe(true);
  await client.close();
});

test("once the secret holds a token Togai accepts, sending resumes after the back-off", async () => {
  const { client, arn, tokens } = await clientFor(h, { tokenRecheckMs: 200 });
  await putToken(h.secrets, arn, foreign.mintToken(), h.togai.baseUrl);
  await failureOf(client.ingest(event(300)));
  // The rotation puts a good token; the provider picks it up on its next read.
  await putToken(h.secrets, arn, h.togai.mintToken(), h.togai.baseUrl);
  await tokens.forceRefresh();
  await sleep(250);

  expect(await client.ingest(event(301))).toBe("evt-301");
  expect(await client.ingest(event(302))).toBe("evt-302");
  await client.close();
});
