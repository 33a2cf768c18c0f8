/**
 * Point 5, the provider's bounds, against moto_server and a loopback server that never answers.
 * Invariants: never a token at or past its expiresAt; with no usable token, at most one read per
 * retry interval (the calls between fail at once, naming the secret); a read that hangs is
 * abandoned after readTimeoutMs and the next call starts a new one.
 */
import { createServer, type Server, type Socket } from "node:net";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  TokenExpiredError,
  TokenNotMintedError,
  TokenReadTimeoutError,
} from "../../lib/runtime/errors";
import { TogaiTokenProvider } from "../../lib/runtime/token-provider";
import { countCommands, createSecret, putToken } from "../support/aws-fixtures";
import { useServers } from "../support/servers";

const h = useServers();

function provider(secretId: string, clock: { now: number }, extra = {}) {
  const client = new SecretsManagerClient({});
  const calls = countCommands(client);
  const tokens = new TogaiTokenProvider({
    secretId,
    client,
    now: () => clock.now,
    random: () => 0.5,
    ...extra,
  });
  return { tokens, gets: () => calls.get("GetSecretValueCommand") ?? 0 };
}

test("no token yet: 1,000 calls make one read; the next read waits for the retry interval", async () => {
  const arn = await createSecret(h.secrets, "tok");
  const clock = { now: Date.now() };
  const { tokens, gets } = provider(arn, clock);

  const errors = await Promise.all(
    Array.from({ length: 1000 }, () => tokens.getToken().catch((e: Error) => e)),
  );
  for (let i = 0; i < 1000; i++) errors.push(await tokens.getToken().catch((e: Error) => e));

  expect(gets()).toBe(1);
  for (const error of errors) {
    expect(error).toBeInstanceOf(TokenNotMintedError);
    expect((error as Error).message).toContain(arn);
  }
  clock.now += 1_100;
  await putToken(h.secrets, arn, h.togai.mintToken(), h.togai.baseUrl);
  expect(await tokens.getToken()).toBe(h.togai.issuedTokens.at(-1));
  expect(gets()).toBe(2);
});

test("only an expired token in the secret: reads back off, doubling up to the bound", async () => {
  const arn = await createSecret(h.secrets, "tok");
  const issued = Math.floor(Date.now() / 1000) - 2 * 86_400;
  await putToken(h.secrets, arn, h.togai.mintToken(issued), h.togai.baseUrl);
  const clock = { now: Date.now() };
  const { tokens, gets } = provider(arn, clock, { maxRetryIntervalMs: 4_000 });

  // 60 simulated seconds, 10 calls per simulated second.
  for (let ms = 0; ms < 60_000; ms += 100) {
    clock.now += 100;
    await expect(tokens.getToken()).rejects.toBeInstanceOf(TokenExpiredError);
  }

  // Waits of 1, 2, 4, 4... s, each times 0.75 (the jitter with random 0.5): about 22 reads, not 600.
  expect(gets()).toBeGreaterThanOrEqual(15);
  expect(gets()).toBeLessThanOrEqual(25);
});

test("a long retry interval never serves a token past its expiresAt", async () => {
  const arn = await createSecret(h.secrets, "tok");
  const issued = Math.floor(Date.now() / 1000) - (86_400 - 360); // 6 minutes to live
  const token = h.togai.mintToken(issued);
  await putToken(h.secrets, arn, token, h.togai.baseUrl);
  const clock = { now: Date.now() };
  const { tokens } = provider(arn, clock, { minRetryIntervalMs: 3_600_000 });
  const expiresAt = (issued + 86_400) * 1000;

  expect(await tokens.getToken()).toBe(token);
  clock.now = expiresAt - 1;
  expect(await tokens.getToken()).toBe(token);
  clock.now = expiresAt;

  await expect(tokens.getToken()).rejects.toBeInstanceOf(TokenExpiredError);
});

describe("a Secrets Manager that accepts connections and never answers", () => {
  let blackHole: Server;
  const sockets: Socket[] = [];
  let endpoint = "";
  beforeAll(async () => {
    blackHole = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(blackHole.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  });

  test("each read is abandoned after readTimeoutMs; the next call starts a new read instead of waiting", async () => {
    const clock = { now: Date.now() };
    const client = new SecretsManagerClient({ endpoint, maxAttempts: 1 });
    const tokens = new TogaiTokenProvider({
      secretId: "hanging",
      client,
      readTimeoutMs: 200,
      now: () => clock.now,
    });

    const first = await tokens.getToken().catch((e: Error) => e);
    expect(first).toBeInstanceOf(TokenReadTimeoutError);
    expect((first as Error).message).toContain("hanging");
    expect(await tokens.getToken().catch((e: Error) => e)).toBe(first); // within the interval
    clock.now += 2_000;
    const second = await tokens.getToken().catch((e: Error) => e);

    expect(second).toBeInstanceOf(TokenReadTimeoutError);
    expect(second).not.toBe(first);
    expect(tokens.stats.timedOutReads).toBe(2);
    expect(tokens.stats.fastFailures).toBe(1);
    client.destroy();
  });
});
