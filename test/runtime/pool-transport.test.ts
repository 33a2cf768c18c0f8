/**
 * PoolTransport, the only code of the client that opens sockets, against the Togai stand-in on
 * loopback (no moto_server: the token comes from an in-test source). Invariants: Togai's status,
 * body and Retry-After reach the client as sent; a new origin replaces the pool; once closed,
 * no pool is opened again. One TogaiClient call runs the whole path over real HTTP.
 */
import { TogaiClient } from "../../lib/runtime/client";
import { TogaiClientClosedError } from "../../lib/runtime/errors";
import { PoolTransport } from "../../lib/runtime/pool-transport";
import { type TogaiStandIn, useTogaiStandIn } from "../support/togai-standin";
import { scriptedTokens } from "./scripted-transport";

const used = useTogaiStandIn({ secretKeys: [] });
let standIn: TogaiStandIn;
beforeAll(() => {
  standIn = used.togai;
});

const post = (token: string) => ({
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({ events: [] }),
  timeoutMs: 5_000,
});

test("status, body and Retry-After come back as Togai sent them", async () => {
  const transport = new PoolTransport(2);
  standIn.inject({ path: "/ingestBatch", kind: "status", status: 429, retryAfter: "7" });
  try {
    const send = transport.for(standIn.baseUrl);
    const answer = await send(new URL("/ingestBatch", standIn.baseUrl), post("tok"));

    expect(answer).toEqual({
      status: 429,
      text: JSON.stringify({ message: "Injected HTTP 429" }),
      retryAfter: "7",
    });
  } finally {
    await transport.close();
  }
});

test("a new origin replaces the pool: the old one is closed", async () => {
  const transport = new PoolTransport(1);
  try {
    const first = transport.for(standIn.baseUrl);
    const other = standIn.baseUrl.replace("127.0.0.1", "localhost");
    transport.for(other);

    await expect(first(new URL("/ingest", standIn.baseUrl), post("tok"))).rejects.toThrow(
      /client is closed/,
    );
  } finally {
    await transport.close();
  }
});

test("after close() no pool is opened again", async () => {
  const transport = new PoolTransport(1);
  transport.for(standIn.baseUrl);
  await transport.close();

  expect(() => transport.for(standIn.baseUrl)).toThrow(TogaiClientClosedError);
});

test("a TogaiClient sends a batch over the pool with the token, and the stand-in accepts it", async () => {
  const tokens = scriptedTokens(standIn.mintToken());
  tokens.secret = { ...tokens.secret, apiBaseUrl: standIn.baseUrl };
  const client = new TogaiClient({ tokens });
  try {
    const result = await client.ingestBatch([
      {
        id: "pool-1",
        schemaName: "api_calls",
        timestamp: "2026-11-28T08:00:00Z",
        accountId: "acct-1",
        attributes: [{ name: "calls", value: "1" }],
        dimensions: {},
      },
    ]);

    expect(result).toMatchObject({ accepted: 1, requests: 1, ids: ["pool-1"] });
    expect(standIn.idsSeen.get("pool-1")).toBe(1);
  } finally {
    await client.close();
  }
});
