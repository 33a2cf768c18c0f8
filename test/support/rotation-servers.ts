/**
 * The servers every rotation test file runs against, each through its own lifecycle helper:
 * moto_server (Secrets Manager) and the Togai stand-in (useServers), and optionally the fault
 * proxy in front of moto (useFaultProxy). With `scanOutput`, everything printed while the file
 * ran (every log line and error) is searched for the keys and every token the stand-in issued.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { rotationConfigFromEnv, TogaiTokenRotator } from "../../lib/function/rotation-handler";
import { leakedSecrets, OutputCapture } from "./capture-output";
import { loadRotationHandler, type RotationHandler } from "./rotation-driver";
import { type SecretsManagerFaultProxy, useFaultProxy } from "./rotation-fault-proxy";
import { createRotationFixture, type RotationFixture } from "./rotation-fixture";
import { type Harness, useServers } from "./servers";

export interface RotationServers extends Harness {
  /** Undefined unless `faultProxy` was asked for. */
  readonly proxy: SecretsManagerFaultProxy;
  readonly output: OutputCapture;
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
  const base = useServers({
    secretKeys: options.secretKeys,
    rateLimits: false,
    unauthenticatedLimit: options.unauthenticatedLimit ?? 1000,
  });
  const fault = options.faultProxy ? useFaultProxy(() => base.moto.endpoint) : undefined;
  const output = new OutputCapture();
  const scan = options.scanOutput ?? true;
  // Declared after the servers' hooks: the capture starts once they run and the scan runs last,
  // when every token the stand-in issued is known.
  if (scan) {
    beforeAll(() => {
      output.start();
    });
    afterAll(() => {
      const text = output.stop();
      const secrets = [...options.secretKeys, ...(options.otherSecrets ?? [])];
      expect(leakedSecrets(text, [...secrets, ...base.togai.issuedTokens])).toEqual([]);
    });
  }
  return {
    get moto() {
      return base.moto;
    },
    get secrets() {
      return base.secrets;
    },
    get togai() {
      return base.togai;
    },
    get proxy() {
      return fault?.proxy as SecretsManagerFaultProxy;
    },
    output,
  };
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
