/**
 * TogaiTokenProvider against the in-memory Secrets Manager, on fake timers: no moto_server, no
 * real sleep. Invariants: one GetSecretValue per read however many callers wait; a refresh about
 * two thirds into the token's life (never later than the expiry margin), in the background;
 * while refreshes fail a valid token keeps being served, never one at or past `expiresAt`; with
 * no usable token, reads back off and calls in between fail at once with the last error; a read
 * that hangs is abandoned after `readTimeoutMs`. The integration lane runs the same provider on
 * moto_server (token-provider.int.test.ts).
 */
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { TOKEN_SECRET_ARN_ENV } from "../../lib/contract";
import {
  TokenExpiredError,
  TokenNotMintedError,
  TokenReadTimeoutError,
} from "../../lib/runtime/errors";
import {
  TogaiTokenProvider,
  type TogaiTokenProviderOptions,
} from "../../lib/runtime/token-provider";
import { InvalidTokenSecretError, TogaiRuntimeError } from "../../lib/togai/errors";
import { InMemorySecretsManager } from "../support/secrets-manager-double";

const MINUTE = 60_000;
const T0 = Date.parse("2026-11-28T08:00:00Z");

let clock: ReturnType<typeof FakeTimers.install>;
let sm: InMemorySecretsManager;
let client: SecretsManagerClient;
beforeEach(() => {
  clock = FakeTimers.install({ now: T0, toFake: ["setTimeout", "clearTimeout", "Date"] });
  sm = new InMemorySecretsManager();
  client = sm.client();
});
afterEach(() => {
  client.destroy();
  clock.uninstall();
});

/** The token secret's JSON for `token`, expiring `lifeMs` from now. */
function secretValue(token: string, lifeMs: number): string {
  return JSON.stringify({
    schemaVersion: 1,
    token,
    expiresAt: new Date(Date.now() + lifeMs).toISOString(),
    issuedAt: new Date(Date.now()).toISOString(),
    apiBaseUrl: "http://127.0.0.1:1",
  });
}

async function createSecret(value?: string): Promise<string> {
  const out = await client.send(
    new CreateSecretCommand({ Name: "togai/token", SecretString: value }),
  );
  return out.ARN as string;
}

async function putValue(arn: string, value: string): Promise<void> {
  await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
}

/** A provider with no jitter (random 0.5) unless the test says otherwise. */
function provider(secretId: string, options: Partial<TogaiTokenProviderOptions> = {}) {
  return new TogaiTokenProvider({ secretId, client, random: () => 0.5, ...options });
}

const reads = () => sm.count("GetSecretValue");

test("concurrent callers share one GetSecretValue, and the token is then served from memory", async () => {
  const arn = await createSecret(secretValue("tok-1", 60 * MINUTE));
  const tokens = provider(arn);

  const all = await Promise.all(Array.from({ length: 5 }, () => tokens.getToken()));
  await tokens.getToken();

  expect(all).toEqual(Array(5).fill("tok-1"));
  expect(reads()).toBe(1);
  expect(tokens.stats.secretsManagerCalls).toBe(1);
});

test("the token is re-read in the background two thirds into its life, not before; the old one is served meanwhile", async () => {
  const arn = await createSecret(secretValue("tok-1", 60 * MINUTE));
  const tokens = provider(arn, { expiryMarginMs: MINUTE });
  await tokens.getToken();
  await putValue(arn, secretValue("tok-2", 60 * MINUTE));

  await clock.tickAsync(40 * MINUTE - 1);
  expect(await tokens.getToken()).toBe("tok-1");
  expect(reads()).toBe(1);

  await clock.tickAsync(1);
  expect(await tokens.getToken()).toBe("tok-1"); // served while the refresh runs
  await clock.tickAsync(0);
  expect(reads()).toBe(2);
  expect(await tokens.getToken()).toBe("tok-2");
});

test("the refresh is due by expiresAt - expiryMarginMs when that comes before two thirds", async () => {
  const arn = await createSecret(secretValue("tok-1", 9 * MINUTE));
  const tokens = provider(arn, { expiryMarginMs: 5 * MINUTE });
  await tokens.getToken();

  await clock.tickAsync(4 * MINUTE - 1);
  await tokens.getToken();
  expect(reads()).toBe(1);
  await clock.tickAsync(1);
  await tokens.getToken();
  await clock.tickAsync(0);
  expect(reads()).toBe(2);
});

test("the jitter moves the refresh time by up to half of jitterFraction of the delay", async () => {
  const arn = await createSecret(secretValue("tok-1", 60 * MINUTE));
  // random 1: +0.5 * 0.1 * 40 min = +2 min, so due at 42 min.
  const tokens = provider(arn, { expiryMarginMs: MINUTE, random: () => 0.999_999 });
  await tokens.getToken();

  await clock.tickAsync(42 * MINUTE - 10);
  await tokens.getToken();
  expect(reads()).toBe(1);
  await clock.tickAsync(10);
  await tokens.getToken();
  await clock.tickAsync(0);
  expect(reads()).toBe(2);
});

test("while refreshes fail the valid token is served, with backed-off reads; at expiresAt it is not, and the error says why", async () => {
  const arn = await createSecret(secretValue("tok-1", 10 * MINUTE));
  const tokens = provider(arn, { expiryMarginMs: 0, minRetryIntervalMs: 1_000 });
  await tokens.getToken();
  sm.fault = (operation) =>
    operation === "GetSecretValue"
      ? { status: 400, type: "AccessDeniedException", message: "not allowed" }
      : undefined;

  await clock.tickAsync(7 * MINUTE);
  expect(await tokens.getToken()).toBe("tok-1");
  await clock.tickAsync(0);
  expect(reads()).toBe(2);
  // The failed refresh pushed the next one back by the back-off (1 s, no jitter at 0.5).
  expect(await tokens.getToken()).toBe("tok-1");
  expect(reads()).toBe(2);
  await clock.tickAsync(1_000);
  await tokens.getToken();
  await clock.tickAsync(0);
  expect(reads()).toBe(3);
  expect(tokens.stats).toMatchObject({ failedReads: 2, staleServes: 2 });

  await clock.tickAsync(3 * MINUTE);
  const error = await tokens.getToken().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TokenExpiredError);
  expect((error as Error).message).toContain(`re-reading ${arn} failed: not allowed`);
  expect((error as Error).message).not.toContain("tok-1");
  expect((error as Error).cause).toMatchObject({ name: "AccessDeniedException" });
});

test("a stored token already past expiresAt is never served", async () => {
  const arn = await createSecret(secretValue("tok-old", -MINUTE));
  const tokens = provider(arn);

  const error = await tokens.getToken().catch((e: unknown) => e);

  expect(error).toBeInstanceOf(TokenExpiredError);
  expect((error as Error).message).toContain(`The token in ${arn} expired at`);
});

test("no token minted: the error says so; calls within the back-off fail at once without a read, then a read follows", async () => {
  const arn = await createSecret(); // no value: GetSecretValue finds no AWSCURRENT
  const tokens = provider(arn, { minRetryIntervalMs: 1_000, maxRetryIntervalMs: 4_000 });

  await expect(tokens.getToken()).rejects.toBeInstanceOf(TokenNotMintedError);
  await expect(tokens.getToken()).rejects.toThrow(/holds no Togai token yet/);
  expect(reads()).toBe(1);
  expect(tokens.stats.fastFailures).toBe(1);

  await clock.tickAsync(1_000);
  await expect(tokens.getToken()).rejects.toBeInstanceOf(TokenNotMintedError);
  expect(reads()).toBe(2);
  await clock.tickAsync(1_000); // the second failure doubled the wait to 2 s
  await expect(tokens.getToken()).rejects.toBeInstanceOf(TokenNotMintedError);
  expect(reads()).toBe(2);

  await putValue(arn, secretValue("tok-1", 60 * MINUTE));
  await clock.tickAsync(1_000);
  expect(await tokens.getToken()).toBe("tok-1");
  expect(reads()).toBe(3);
});

test("a value that is not the token secret's JSON fails with InvalidTokenSecretError, naming the secret", async () => {
  const arn = await createSecret("not json");
  const tokens = provider(arn);

  const error = await tokens.getToken().catch((e: unknown) => e);

  expect(error).toBeInstanceOf(InvalidTokenSecretError);
  expect((error as Error).message).toContain(arn);
});

test("a read that hangs is aborted and abandoned after readTimeoutMs; the next call starts a new read", async () => {
  const arn = await createSecret(secretValue("tok-1", 60 * MINUTE));
  let hung = 0;
  sm.hang = (operation) => operation === "GetSecretValue" && ++hung > 0;
  const tokens = provider(arn, { readTimeoutMs: 3_000, minRetryIntervalMs: 1_000 });

  const first = tokens.getToken().catch((e: unknown) => e);
  await clock.tickAsync(2_999);
  const second = tokens.getToken().catch((e: unknown) => e); // shares the hanging read
  await clock.tickAsync(1);

  expect(await first).toBeInstanceOf(TokenReadTimeoutError);
  expect(await second).toBeInstanceOf(TokenReadTimeoutError);
  expect((await first) as Error).toHaveProperty(
    "message",
    expect.stringContaining("longer than 3000 ms (readTimeoutMs)"),
  );
  expect(hung).toBe(1);
  expect(sm.abortedCalls).toBe(1);
  expect(tokens.stats).toMatchObject({ secretsManagerCalls: 1, timedOutReads: 1 });

  sm.hang = undefined;
  await clock.tickAsync(1_000);
  expect(await tokens.getToken()).toBe("tok-1");
  expect(tokens.stats.secretsManagerCalls).toBe(2);
});

test("forceRefresh re-reads at once although a valid token is cached", async () => {
  const arn = await createSecret(secretValue("tok-1", 60 * MINUTE));
  const tokens = provider(arn);
  await tokens.getToken();
  await putValue(arn, secretValue("tok-2", 60 * MINUTE));

  expect(await tokens.forceRefresh()).toBe("tok-2");
  expect(await tokens.getTokenSecret()).toMatchObject({
    token: "tok-2",
    apiBaseUrl: "http://127.0.0.1:1",
  });
  expect(reads()).toBe(2);
});

test("fromEnvironment reads the secret named by TOGAI_TOKEN_SECRET_ARN, and says how to fix it when unset", async () => {
  const arn = await createSecret(secretValue("tok-1", 60 * MINUTE));
  const saved = process.env[TOKEN_SECRET_ARN_ENV];
  try {
    delete process.env[TOKEN_SECRET_ARN_ENV];
    expect(() => TogaiTokenProvider.fromEnvironment({ client })).toThrow(TogaiRuntimeError);
    expect(() => TogaiTokenProvider.fromEnvironment({ client })).toThrow(/grantReadToFunction/);

    process.env[TOKEN_SECRET_ARN_ENV] = arn;
    const tokens = TogaiTokenProvider.fromEnvironment({ client });
    expect(tokens.secretId).toBe(arn);
    expect(await tokens.getToken()).toBe("tok-1");
  } finally {
    if (saved === undefined) delete process.env[TOKEN_SECRET_ARN_ENV];
    else process.env[TOKEN_SECRET_ARN_ENV] = saved;
  }
});

test("with no options the provider builds its own client and uses the documented defaults", () => {
  const tokens = new TogaiTokenProvider({ secretId: "togai/token" });
  expect(tokens.secretId).toBe("togai/token");
  expect(tokens.stats).toEqual({
    secretsManagerCalls: 0,
    failedReads: 0,
    staleServes: 0,
    fastFailures: 0,
    timedOutReads: 0,
  });
});
