/**
 * Row 3: the rotation function's zip size and cold start: a fresh `node` process loading the
 * code and running one no-op invocation (an unknown step, refused before any network call),
 * against a bare `node -e 0`, an unbundled handler that imports the SDK client and undici from
 * node_modules, and a plain esbuild bundle of that handler. The deployed bundle carries the AWS
 * SDK's Secrets Manager client itself (tree-shaken from its ES modules, minified); its zip size
 * has a target, its cold start is reported only.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { rotationBundle } from "../lib/constructs/rotation-asset";
import { type TimedResult, timeNodeProcesses } from "./stats";

const ROOT = join(__dirname, "..");
export const COLD_START_RUNS = 15;

export interface ColdStartResult extends TimedResult {
  readonly codeBytes?: number;
}

const ENV = {
  TOGAI_API_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf",
  TOGAI_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf",
  TOGAI_API_BASE_URL: "https://api.togai.com",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

/** One no-op invocation of `handler` from `file`; the expected refusal proves the code ran. */
const invokeNoop = (file: string) =>
  `require(${JSON.stringify(file)}).handler({Step:"noop",SecretId:${JSON.stringify(ENV.TOGAI_TOKEN_SECRET_ARN)},ClientRequestToken:"x"},{getRemainingTimeInMillis:()=>1e4}).catch(e=>{if(!/Unknown rotation step/.test(e.message))throw e})`;

/** The rotation handler as it would be written with the AWS SDK client and undici. */
const SDK_HANDLER = `
const { SecretsManagerClient, DescribeSecretCommand } = require("@aws-sdk/client-secrets-manager");
const { request } = require("undici");
const client = new SecretsManagerClient({});
exports.handler = async (event) => {
  if (!["createSecret","setSecret","testSecret","finishSecret"].includes(event.Step)) throw new Error("Unknown rotation step");
  await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
  await request("https://api.togai.com/authenticate");
};`;

const time = (variant: string, args: string[], codeBytes?: number): ColdStartResult => ({
  ...timeNodeProcesses(variant, args, COLD_START_RUNS, { env: ENV }),
  codeBytes,
});

export function benchColdStart(): {
  results: ColdStartResult[];
  zipBytes: number;
  sdkBundleZipBytes: number;
} {
  const dir = mkdtempSync(join(tmpdir(), "togai-coldstart-"));
  const deployed = join(ROOT, "assets", "rotation-function", "index.js");
  // The unbundled SDK handler must resolve node_modules: it lives inside the project.
  const unbundledDir = join(ROOT, "bench", ".tmp");
  mkdirSync(unbundledDir, { recursive: true });
  const unbundled = join(unbundledDir, "sdk-handler.js");
  writeFileSync(unbundled, SDK_HANDLER);
  const sdkBundle = join(dir, "sdk-bundle.js");
  buildSync({
    entryPoints: [unbundled],
    outfile: sdkBundle,
    bundle: true,
    minify: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "silent",
  });
  const sdkZip = spawnSync("gzip", ["-9", "-c", sdkBundle], { maxBuffer: 64 * 1024 * 1024 }).stdout
    .length;

  const results = [
    time("bare node -e 0", ["-e", "0"]),
    time("cdktf-togai rotation bundle", ["-e", invokeNoop(deployed)], statSync(deployed).size),
    time(
      "esbuild bundle of an SDK + undici handler",
      ["-e", invokeNoop(sdkBundle)],
      statSync(sdkBundle).size,
    ),
    time("unbundled SDK + undici handler (node_modules)", ["-e", invokeNoop(unbundled)]),
  ];
  return {
    results,
    zipBytes: readFileSync(rotationBundle().zipPath).length,
    sdkBundleZipBytes: sdkZip,
  };
}
