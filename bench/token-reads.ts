/**
 * Row 1: reading the token, against moto_server, with the same workload for each reader:
 * one request per simulated second for SIMULATED_HOURS (the clock is simulated so hours pass in
 * seconds; Secrets Manager calls are real), a rotation every 6 simulated hours, and bursts of
 * 100 concurrent callers on a cold reader.
 */

import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import {
  GetSecretValueCommand,
  InternalServiceError,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import FakeTimers from "@sinonjs/fake-timers";
import { TogaiTokenProvider } from "../lib/runtime/token-provider";
import { countCommands, createSecret, putToken } from "../test/support/aws-fixtures";
import type { MotoServer } from "../test/support/moto-server";
import { TogaiStandIn } from "../test/support/togai-standin";
import { Latencies } from "./stats";

export const SIMULATED_HOURS = 2;
const REQUESTS = SIMULATED_HOURS * 3600;

export interface ReaderResult {
  readonly reader: string;
  readonly requests: number;
  readonly secretsManagerCalls: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** p99 of the calls that made no Secrets Manager call. */
  readonly cachedP99Us: number;
  readonly callsPerSecond: number;
  readonly burstSecretsManagerCalls: number;
}

interface Reader {
  name: string;
  make: (client: SecretsManagerClient, secretId: string) => () => Promise<string>;
}

const READERS: Reader[] = [
  {
    name: "cdktf-togai TogaiTokenProvider",
    make: (client, secretId) => {
      const provider = new TogaiTokenProvider({ secretId, client });
      return () => provider.getToken();
    },
  },
  {
    name: "Powertools getSecret (default maxAge 5 s)",
    make: (client, secretId) => {
      const provider = new SecretsProvider({ awsSdkV3Client: client });
      return async () => JSON.parse((await provider.get(secretId)) as string).token;
    },
  },
  {
    name: "Powertools getSecret (maxAge 3600 s)",
    make: (client, secretId) => {
      const provider = new SecretsProvider({ awsSdkV3Client: client });
      return async () =>
        JSON.parse((await provider.get(secretId, { maxAge: 3600 })) as string).token;
    },
  },
  {
    name: "GetSecretValue per request",
    make: (client, secretId) => async () => {
      const out = await client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: "AWSCURRENT" }),
      );
      return JSON.parse(out.SecretString as string).token;
    },
  },
];

/** A token secret on moto holding a token minted at `clock` (epoch ms), and the client that made it. */
async function tokenSecretHolding(
  moto: MotoServer,
  togai: TogaiStandIn,
  name: string,
  clock: number,
): Promise<{ setup: SecretsManagerClient; secretId: string }> {
  const setup = new SecretsManagerClient({ endpoint: moto.endpoint });
  const secretId = await createSecret(setup, name);
  await putToken(
    setup,
    secretId,
    togai.mintToken(Math.floor(clock / 1000)),
    "https://api.togai.com",
  );
  return { setup, secretId };
}

export async function benchTokenReads(moto: MotoServer): Promise<ReaderResult[]> {
  const results: ReaderResult[] = [];
  const togai = new TogaiStandIn();
  for (const reader of READERS) {
    // A simulated clock for both Date.now() and new Date(): Powertools' cache reads both.
    const fake = FakeTimers.install({ now: Date.now(), toFake: ["Date"] });
    let clock = Date.now();
    try {
      const { setup, secretId } = await tokenSecretHolding(moto, togai, "bench-token", clock);

      const client = new SecretsManagerClient({ endpoint: moto.endpoint });
      const calls = countCommands(client);
      const gets = () => calls.get("GetSecretValueCommand") ?? 0;
      const read = reader.make(client, secretId);
      const all = new Latencies();
      const cached = new Latencies();
      const started = process.hrtime.bigint();
      for (let i = 0; i < REQUESTS; i++) {
        if (i > 0 && i % (6 * 3600) === 0) {
          await putToken(
            setup,
            secretId,
            togai.mintToken(Math.floor(clock / 1000)),
            "https://api.togai.com",
          );
        }
        const before = gets();
        const t0 = process.hrtime.bigint();
        await read();
        const us = Number(process.hrtime.bigint() - t0) / 1000;
        all.values.push(us);
        if (gets() === before) cached.values.push(us);
        clock += 1000;
        fake.setSystemTime(clock);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const steadyCalls = gets();

      // A burst: 100 concurrent callers on a reader that has nothing cached yet.
      const burstClient = new SecretsManagerClient({ endpoint: moto.endpoint });
      const burstCalls = countCommands(burstClient);
      const burstRead = reader.make(burstClient, secretId);
      await Promise.all(Array.from({ length: 100 }, () => burstRead()));

      results.push({
        reader: reader.name,
        requests: REQUESTS,
        secretsManagerCalls: steadyCalls,
        p50Us: all.p(50),
        p99Us: all.p(99),
        cachedP99Us: cached.values.length ? cached.p(99) : Number.NaN,
        callsPerSecond: REQUESTS / seconds,
        burstSecretsManagerCalls: burstCalls.get("GetSecretValueCommand") ?? 0,
      });
      setup.destroy();
      client.destroy();
      burstClient.destroy();
    } finally {
      fake.uninstall();
    }
  }
  return results;
}

export interface OutageResult {
  readonly reader: string;
  readonly calls: number;
  readonly reads: number;
  readonly failedCalls: number;
  readonly tokensServed: number;
}

/**
 * A 10-minute Secrets Manager outage (every read answers HTTP 500), 17 simulated hours after each
 * reader was warmed with a 24-hour token: 1 call per simulated second, 600 calls.
 */
export async function benchOutage(moto: MotoServer): Promise<OutageResult[]> {
  const results: OutageResult[] = [];
  const togai = new TogaiStandIn();
  for (const reader of READERS) {
    const fake = FakeTimers.install({ now: Date.now(), toFake: ["Date"] });
    let clock = Date.now();
    try {
      const { setup, secretId } = await tokenSecretHolding(moto, togai, "bench-outage", clock);
      const client = new SecretsManagerClient({ endpoint: moto.endpoint, maxAttempts: 1 });
      let down = false;
      let reads = 0;
      client.middlewareStack.add(
        (next) => async (args) => {
          reads++;
          if (down) throw new InternalServiceError({ message: "outage", $metadata: {} });
          return next(args);
        },
        { step: "initialize", name: "bench-outage" },
      );
      const read = reader.make(client, secretId);
      await read();
      clock += 17 * 3_600_000;
      fake.setSystemTime(clock);
      down = true;
      reads = 0;
      let failed = 0;
      for (let i = 0; i < 600; i++) {
        await read().catch(() => failed++);
        clock += 1000;
        fake.setSystemTime(clock);
      }
      results.push({
        reader: reader.name,
        calls: 600,
        reads,
        failedCalls: failed,
        tokensServed: 600 - failed,
      });
      setup.destroy();
      client.destroy();
    } finally {
      fake.uninstall();
    }
  }
  return results;
}
