/** TogaiTokenProvider against moto_server: caching, single flight, refresh ahead, stale-while-error. */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { TOKEN_SECRET_ARN_ENV } from "../../lib/contract";
import { TokenExpiredError, TokenNotMintedError } from "../../lib/runtime/errors";
import { TogaiTokenProvider } from "../../lib/runtime/token-provider";
import { TogaiRuntimeError } from "../../lib/togai/errors";
import { countCommands, createSecret, putToken } from "../support/aws-fixtures";
import { startMotoServer } from "../support/moto-server";
import { useServers } from "../support/servers";
import type { TogaiStandIn } from "../support/togai-standin";

const HOUR = 3_600_000;
const servers = useServers();
let togai: TogaiStandIn;
let secrets: SecretsManagerClient;

beforeAll(() => {
  ({ togai, secrets } = servers);
});

/** A provider with its own counted client and a clock the test moves. */
function provider(
  secretId: string,
  clock = { now: Date.now() },
  client = new SecretsManagerClient({}),
) {
  const calls = countCommands(client);
  const tokens = new TogaiTokenProvider({
    secretId,
    client,
    now: () => clock.now,
    random: () => 0.5,
  });
  return { tokens, calls, clock, gets: () => calls.get("GetSecretValueCommand") ?? 0 };
}

test("a warm cache makes no Secrets Manager call", async () => {
  const arn = await createSecret(secrets, "tok");
  const token = togai.mintToken();
  await putToken(secrets, arn, token, togai.baseUrl);
  const { tokens, gets } = provider(arn);

  expect(await tokens.getToken()).toBe(token);
  for (let i = 0; i < 50; i++) expect(await tokens.getToken()).toBe(token);

  expect(gets()).toBe(1);
  expect(tokens.stats.secretsManagerCalls).toBe(1);
});

test("100 concurrent getToken() make one GetSecretValue", async () => {
  const arn = await createSecret(secrets, "tok");
  await putToken(secrets, arn, togai.mintToken(), togai.baseUrl);
  const { tokens, gets } = provider(arn);

  const results = await Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));

  expect(new Set(results).size).toBe(1);
  expect(gets()).toBe(1);
});

test("refreshes ahead of expiry, in the background, and picks up the rotated token", async () => {
  const arn = await createSecret(secrets, "tok");
  const first = togai.mintToken();
  await putToken(secrets, arn, first, togai.baseUrl);
  const { tokens, gets, clock } = provider(arn);
  const start = clock.now;
  await tokens.getToken();

  clock.now = start + 15 * HOUR; // before 2/3 of 24 h: still cached
  expect(await tokens.getToken()).toBe(first);
  expect(gets()).toBe(1);

  const second = togai.mintToken();
  await putToken(secrets, arn, second, togai.baseUrl);
  clock.now = start + 16.5 * HOUR; // past 2/3 (16 h): served at once, refreshed behind
  expect(await tokens.getToken()).toBe(first);
  await new Promise((r) => setTimeout(r, 300));
  expect(gets()).toBe(2);
  expect(await tokens.getToken()).toBe(second);
});

test("with no margin left, refreshes no later than expiresAt minus the margin", async () => {
  const arn = await createSecret(secrets, "tok");
  // A token with only 6 minutes to live: 2/3 of it is 4 min, later than expiry - 5 min = 1 min.
  const issued = Math.floor(Date.now() / 1000) - (86_400 - 360);
  await putToken(secrets, arn, togai.mintToken(issued), togai.baseUrl);
  const { tokens, gets, clock } = provider(arn);
  const start = clock.now;
  await tokens.getToken();

  clock.now = start + 61_000;
  await tokens.getToken();
  await new Promise((r) => setTimeout(r, 300));

  expect(gets()).toBe(2);
});

test("Secrets Manager down: a still-valid token keeps being served; past expiry the error says what failed", async () => {
  const down = await startMotoServer();
  const client = new SecretsManagerClient({ endpoint: down.endpoint, maxAttempts: 1 });
  const arn = await createSecret(client, "tok");
  const token = togai.mintToken();
  await putToken(client, arn, token, togai.baseUrl);
  const { tokens, clock } = provider(arn, { now: Date.now() }, client);
  const start = clock.now;
  await tokens.getToken();
  await down.stop();

  clock.now = start + 20 * HOUR; // due for refresh; the refresh fails
  expect(await tokens.getToken()).toBe(token);
  await new Promise((r) => setTimeout(r, 300));
  expect(await tokens.getToken()).toBe(token);
  expect(tokens.stats.failedReads).toBeGreaterThanOrEqual(1);
  expect(tokens.stats.staleServes).toBeGreaterThanOrEqual(1);

  clock.now = start + 25 * HOUR; // expired
  const error = await tokens.getToken().catch((e: Error) => e);
  expect(error).toBeInstanceOf(TokenExpiredError);
  expect((error as Error).message).toMatch(
    /^The cached Togai token expired at .+ and re-reading .+ failed: /,
  );
  expect((error as Error).message).not.toContain(token);
  client.destroy();
});

test("forceRefresh re-reads once, shared by concurrent callers", async () => {
  const arn = await createSecret(secrets, "tok");
  await putToken(secrets, arn, togai.mintToken(), togai.baseUrl);
  const { tokens, gets } = provider(arn);
  await tokens.getToken();
  const rotated = togai.mintToken();
  await putToken(secrets, arn, rotated, togai.baseUrl);

  const results = await Promise.all([
    tokens.forceRefresh(),
    tokens.forceRefresh(),
    tokens.forceRefresh(),
  ]);

  expect(results).toEqual([rotated, rotated, rotated]);
  expect(gets()).toBe(2);
});

test("before the first rotation: a clear 'no token minted yet' error", async () => {
  const arn = await createSecret(secrets, "tok");
  const { tokens } = provider(arn);

  const error = await tokens.getToken().catch((e: Error) => e);

  expect(error).toBeInstanceOf(TokenNotMintedError);
  expect((error as Error).message).toContain(`The token secret ${arn} holds no Togai token yet`);
  expect((error as Error).message).toContain("cdktf-togai put-api-key");
});

test("an expired token in the secret is reported as such", async () => {
  const arn = await createSecret(secrets, "tok");
  await putToken(
    secrets,
    arn,
    togai.mintToken(Math.floor(Date.now() / 1000) - 2 * 86_400),
    togai.baseUrl,
  );
  const { tokens } = provider(arn);

  await expect(tokens.getToken()).rejects.toThrow(/expired at .+: rotations have been failing/);
});

test("a secret that does not hold the contract's JSON is reported, without its content", async () => {
  const arn = await createSecret(secrets, "tok", "sk_not_json_value");
  const { tokens } = provider(arn);

  const error = await tokens.getToken().catch((e: Error) => e);
  expect((error as Error).message).toContain("does not hold JSON");
  expect((error as Error).message).not.toContain("sk_not_json_value");
});

test("fromEnvironment reads the token secret ARN from the contract's variable", async () => {
  const arn = await createSecret(secrets, "tok");
  await putToken(secrets, arn, togai.mintToken(), togai.baseUrl);
  delete process.env[TOKEN_SECRET_ARN_ENV];
  expect(() => TogaiTokenProvider.fromEnvironment()).toThrow(TogaiRuntimeError);
  expect(() => TogaiTokenProvider.fromEnvironment()).toThrow(`${TOKEN_SECRET_ARN_ENV} is not set`);

  process.env[TOKEN_SECRET_ARN_ENV] = arn;
  const tokens = TogaiTokenProvider.fromEnvironment();
  expect(tokens.secretId).toBe(arn);
  expect((await tokens.getTokenSecret()).apiBaseUrl).toBe(togai.baseUrl);
  delete process.env[TOKEN_SECRET_ARN_ENV];
});
