import { Pool } from "undici";
import type { TogaiTransport } from "../togai/togai-api";
import { TogaiClientClosedError } from "./errors";

/**
 * Requests over one keep-alive undici Pool per origin (a new origin replaces the pool). Once
 * closed it never opens a pool again: nothing would close that one.
 */
export class PoolTransport {
  private pool?: { origin: string; pool: Pool };
  private closed = false;

  constructor(private readonly connections: number) {}

  for(origin: string): TogaiTransport {
    if (this.closed) {
      throw new TogaiClientClosedError(
        "Not sent: the TogaiClient was closed while this request waited; create a new client to send it",
      );
    }
    if (this.pool?.origin !== origin) {
      this.pool?.pool.close().catch(() => undefined);
      this.pool = {
        origin,
        pool: new Pool(origin, { connections: this.connections, pipelining: 1 }),
      };
    }
    const pool = this.pool.pool;
    return async (url, init) => {
      const response = await pool.request({
        path: url.pathname,
        method: "POST",
        headers: init.headers,
        body: init.body,
        signal: init.signal,
        headersTimeout: init.timeoutMs,
        bodyTimeout: init.timeoutMs,
      });
      const retryAfter = response.headers["retry-after"];
      return {
        status: response.statusCode,
        text: await response.body.text(),
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      };
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.pool.close();
  }
}
