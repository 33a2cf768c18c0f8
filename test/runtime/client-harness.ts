/**
 * What the runtime tests share on top of the servers (useServers in test/support/servers.ts):
 * events, a client reading its token from moto, and the failure of a call.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { TogaiClient } from "../../lib/runtime/client";
import type { TogaiClientOptions } from "../../lib/runtime/client-options";
import type { TogaiEvent } from "../../lib/runtime/event-validation";
import { TogaiTokenProvider } from "../../lib/runtime/token-provider";
import { countCommands, createSecret, putToken } from "../support/aws-fixtures";
import type { Harness } from "../support/servers";

/** A valid event; `id` undefined leaves it to the client. */
export function event(i: number, overrides: Partial<TogaiEvent> = {}): TogaiEvent {
  return {
    id: `evt-${i}`,
    schemaName: "api_calls",
    timestamp: "2026-11-28T08:00:00Z",
    accountId: `acct-${i % 7}`,
    attributes: [{ name: "calls", value: String(i % 100), unit: "count" }],
    dimensions: { region: "eu", seq: String(i) },
    ...overrides,
  };
}

/** A token secret holding a fresh token, a provider reading it, and a client using both. */
export async function clientFor(h: Harness, options: Partial<TogaiClientOptions> = {}) {
  const arn = await createSecret(h.secrets, "tok");
  await putToken(h.secrets, arn, h.togai.mintToken(), h.togai.baseUrl);
  const smClient = new SecretsManagerClient({});
  const calls = countCommands(smClient);
  const tokens = new TogaiTokenProvider({ secretId: arn, client: smClient });
  const client = new TogaiClient({ tokens, baseDelayMs: 10, ...options });
  return { client, tokens, arn, gets: () => calls.get("GetSecretValueCommand") ?? 0 };
}

/** The rejection of `promise`, or a failure when it resolves. */
export async function failureOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error("expected a failure"),
    (e: Error) => e,
  );
}
