/**
 * A loopback proxy in front of moto_server that plays Secrets Manager faults to the rotation
 * function, on the wire, as AWS or a network would: throttling (400 ThrottlingException),
 * InternalServiceError (500), an HTML 502 from a load balancer, and the function dying (the
 * connection drops after a call took effect, and no later call gets through). The AWS SDK in the
 * function meets them exactly as it would meet them from AWS: its own retries included.
 */
import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export type SecretsManagerFaultKind = "throttle" | "internal-error" | "html-502" | "die";

/** A fault armed for the calls of one invocation. */
export interface SecretsManagerFault {
  readonly kind: SecretsManagerFaultKind;
  /** Index (0-based) of the invocation's first call that meets the fault. */
  readonly fromCall: number;
  /** How many calls meet it; `die` meets every later call. @default every later call */
  readonly calls?: number;
  /** Only calls of this API operation (e.g. `RotateSecret`) meet it. @default every operation */
  readonly operation?: string;
}

export class SecretsManagerFaultProxy {
  /** Calls seen since the last `arm`. */
  callsSinceArm = 0;
  /** Whether the armed fault has met at least one call. */
  played = false;
  private fault?: SecretsManagerFault;
  private readonly server: Server;
  private port = 0;

  constructor(private readonly target: string) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch(() => res.destroy());
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Arms `fault` (or none) for the next invocation's calls. */
  arm(fault?: SecretsManagerFault): void {
    this.fault = fault;
    this.callsSinceArm = 0;
    this.played = false;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const fault = this.fault;
    const target = String(req.headers["x-amz-target"] ?? "");
    if (fault?.operation && !target.endsWith(`.${fault.operation}`)) {
      return this.forward(req, body, res);
    }
    const index = this.callsSinceArm++;
    const hit =
      fault !== undefined &&
      index >= fault.fromCall &&
      (fault.kind === "die" || fault.calls === undefined || index < fault.fromCall + fault.calls);
    if (!hit || !fault) return this.forward(req, body, res);
    this.played = true;
    switch (fault.kind) {
      case "throttle":
        return this.answer(res, 400, { __type: "ThrottlingException", message: "Rate exceeded" });
      case "internal-error":
        return this.answer(res, 500, {
          __type: "InternalServiceError",
          message: "An error occurred on the server side.",
        });
      case "html-502":
        res.writeHead(502, { "content-type": "text/html" });
        res.end(
          "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
        );
        return;
      case "die":
        // The first dying call reaches Secrets Manager (it takes effect); its answer never
        // reaches the function, nor does any later call.
        if (index === fault.fromCall) await this.forward(req, body, undefined);
        res.destroy();
        return;
    }
  }

  private answer(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
    res.end(text);
  }

  /** Sends the request on to moto; pipes the answer back (or drops it when `res` is undefined). */
  private forward(
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse | undefined,
  ): Promise<void> {
    const url = new URL(req.url ?? "/", this.target);
    return new Promise((resolve, reject) => {
      const out = request(
        url,
        { method: req.method, headers: { ...req.headers, host: url.host } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (d: Buffer) => parts.push(d));
          answer.on("end", () => {
            if (res) {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(parts));
            }
            resolve();
          });
          answer.on("error", reject);
        },
      );
      out.on("error", reject);
      out.end(body);
    });
  }
}

export async function startFaultProxy(target: string): Promise<SecretsManagerFaultProxy> {
  return new SecretsManagerFaultProxy(target).start();
}

/**
 * The one fault-proxy lifecycle of the test files: started before a file's tests in front of
 * `target()` (read then, once the server behind it runs), disarmed after each test, closed after
 * them.
 */
export function useFaultProxy(target: () => string): { readonly proxy: SecretsManagerFaultProxy } {
  const used = {} as { proxy: SecretsManagerFaultProxy };
  beforeAll(async () => {
    used.proxy = await startFaultProxy(target());
  });
  afterEach(() => used.proxy?.arm(undefined));
  afterAll(async () => {
    await used.proxy?.close();
  });
  return used;
}
