/**
 * The servers every rotation test file runs against, started before its tests and stopped by
 * PID after them: moto_server (Secrets Manager), the Togai stand-in, and optionally the fault
 * proxy in front of moto. With `scanOutput`, everything printed while the file ran (every log
 * line and error) is searched for the keys and every token the stand-in issued.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { rotationConfigFromEnv, TogaiTokenRotator } from "../../lib/function/rotation-handler";
import { leakedSecrets, OutputCapture } from "./capture-output";
import { type MotoServer, startMotoServer } from "./moto-server";
import { loadRotationHandler, type RotationHandler } from "./rotation-driver";
import { type SecretsManagerFaultProxy, startFaultProxy } from "./rotation-fault-proxy";
import { createRotationFixture, type RotationFixture } from "./rotation-fixture";
import { startTogaiStandIn, type TogaiStandIn } from "./togai-standin";

export interface RotationServers {
  moto: MotoServer;
  togai: TogaiStandIn;
  /** Undefined unless `faultProxy` was asked for. */
  proxy: SecretsManagerFaultProxy;
  /** A client of moto, with the endpoint from the environment the launcher sets. */
  secrets: SecretsManagerClient;
  output: OutputCapture;
}

export function useRotationServers(options: {
  /** Secret keys the stand-in accepts; the output scan also looks for them. */
  readonly secretKeys: string[];
  /** Keys that must never be printed either (e.g. a deactivated one). */
  readonly otherSecrets?: string[];
  readonly faultProxy?: boolean;
  /** Capture and scan the file's output. @default true */
  readonly scanOutput?: boolean;
  /** Rejected credentials the stand-in tolerates in 30 minutes. @default 1000 (Togai's is 5) */
  readonly unauthenticatedLimit?: number;
}): RotationServers {
  const servers = { output: new OutputCapture() } as RotationServers;
  const scan = options.scanOutput ?? true;
  beforeAll(async () => {
    servers.moto = await startMotoServer();
    Object.assign(process.env, servers.moto.awsEnv);
    servers.togai = await startTogaiStandIn({
      secretKeys: options.secretKeys,
      rateLimits: false,
      unauthenticatedLimit: options.unauthenticatedLimit ?? 1000,
    });
    if (options.faultProxy) servers.proxy = await startFaultProxy(servers.moto.endpoint);
    servers.secrets = new SecretsManagerClient({});
    if (scan) servers.output.start();
  });
  afterEach(() => {
    servers.togai?.clearFaults();
    servers.proxy?.arm(undefined);
  });
  afterAll(async () => {
    const text = scan ? servers.output.stop() : "";
    servers.secrets?.destroy();
    await servers.proxy?.close();
    await servers.togai?.close();
    await servers.moto?.stop();
    if (scan) {
      const secrets = [...options.secretKeys, ...(options.otherSecrets ?? [])];
      expect(leakedSecrets(text, [...secrets, ...servers.togai.issuedTokens])).toEqual([]);
    }
  });
  return servers;
}

/**
 * A fresh rotation fixture whose function, the deployed bundle or its source (for coverage of
 * lib/), makes its Secrets Manager calls through the fault proxy; `client` replaces the source's
 * Secrets Manager client (e.g. one with a middleware that plays a race).
 */
export async function proxiedRotationFixture(
  servers: RotationServers,
  kind: "bundle" | "source",
  options: { readonly apiKey?: string; readonly client?: SecretsManagerClient } = {},
): Promise<RotationFixture> {
  const { secrets, togai, proxy, moto } = servers;
  const fx = await createRotationFixture({
    secrets,
    togaiBaseUrl: togai.baseUrl,
    apiKey: options.apiKey,
  });
  const env = { ...fx.environment, AWS_ENDPOINT_URL: proxy.endpoint };
  let handler: RotationHandler;
  if (kind === "bundle") {
    const loaded = await loadRotationHandler(env);
    handler = async (event, context) => {
      try {
        return await loaded(event, context);
      } finally {
        process.env.AWS_ENDPOINT_URL = moto.endpoint;
      }
    };
  } else {
    const rotator = new TogaiTokenRotator(rotationConfigFromEnv(env), {
      secrets: options.client ?? new SecretsManagerClient({ endpoint: proxy.endpoint }),
    });
    handler = (event, context) => rotator.invoke(event, context);
  }
  return { ...fx, handler };
}
