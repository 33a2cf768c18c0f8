/**
 * What the operator command takes from its surroundings: where the key may be sent, which region
 * to talk to, its own version, and hints for the AWS setup errors operators hit first.
 */
import { packageRoot } from "../package-root";
import { checkTogaiBaseUrl } from "../togai/base-url";

/**
 * Why the secret key must not be sent to `baseUrl`, or `undefined` when it may: only https, or
 * plain http to this machine (a local stand-in), ever carries the key.
 */
export function unsafeBaseUrlReason(baseUrl: string): string | undefined {
  const { url, problem } = checkTogaiBaseUrl(baseUrl);
  if (!url) {
    return `the Togai base URL "${baseUrl}" is not an absolute URL (e.g. https://api.togai.com)`;
  }
  if (problem === "insecure") {
    return `refusing to send the secret key to ${url.origin}: use https (plain http only to 127.0.0.1 or localhost)`;
  }
  return undefined;
}

/** The region named in a Secrets Manager ARN, or `undefined` for a name. */
function regionFromArn(secretId: string | undefined): string | undefined {
  const match = /^arn:[^:]+:secretsmanager:([a-z0-9-]+):/.exec(secretId ?? "");
  return match?.[1];
}

/**
 * The value of `--secret-id` in either form the parser accepts (`--secret-id ID` or
 * `--secret-id=ID`; the last one wins, as with the parser), before the full parse: the AWS client
 * and its region are made first.
 */
export function secretIdArgument(args: string[]): string | undefined {
  let found: string | undefined;
  args.forEach((arg, i) => {
    if (arg === "--secret-id") found = args[i + 1];
    else if (arg.startsWith("--secret-id=")) found = arg.slice("--secret-id=".length);
  });
  return found;
}

/** The region for the AWS client: the environment's, else the one in the secret's ARN. */
export function clientRegion(
  env: NodeJS.ProcessEnv,
  secretId: string | undefined,
): string | undefined {
  if (env.AWS_REGION || env.AWS_DEFAULT_REGION) return undefined; // the SDK reads them itself
  return regionFromArn(secretId);
}

/**
 * A hint for AWS setup errors (no credentials, no region), or `undefined`. `secretId`: the
 * `--secret-id` given; a full ARN already names a region, so the hint then does not ask for one.
 */
export function awsSetupHint(error: unknown, secretId?: string): string | undefined {
  const name = (error as Error)?.name ?? "";
  const message = (error as Error)?.message ?? "";
  if (name === "CredentialsProviderError" || /credential/i.test(message)) {
    return "no AWS credentials were found: set AWS_PROFILE (and run `aws sso login` if it uses SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and AWS_REGION";
  }
  if (/region is missing/i.test(message)) {
    const region = "no AWS region: set AWS_REGION (or AWS_PROFILE with a region)";
    return regionFromArn(secretId) ? region : `${region}, or pass the secret's full ARN`;
  }
  return undefined;
}

/** This package's version, from its package.json (found above this file, built or not). */
export function packageVersion(): string {
  try {
    return packageRoot().version;
  } catch {
    return "unknown";
  }
}
