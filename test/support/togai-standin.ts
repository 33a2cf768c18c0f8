/**
 * A Togai stand-in on loopback that behaves as Togai's spec and published facts say:
 * - `POST /authenticate` with a known secret key mints a NEW ES256 JWT whose header says
 *   `zip: GZIP` and whose payload is base64url of gzipped JSON, `exp` 24 h after `iat`;
 *   with one of its own valid tokens it returns THAT SAME token;
 * - `POST /ingest` and `/ingestBatch` accept a valid token or secret key and check the body
 *   against the documented schemas (400 with `{"message"}` otherwise);
 * - errors carry `{"message"}`; rate limits per second as published (10/s authenticate, 50/s
 *   ingest); after 5 rejected credentials, further unauthenticated requests get 429;
 * - faults can be injected (status with an optional `Retry-After`, slow, malformed, expired, no
 *   token, connection reset, partial batch failure, an answer delayed or failed AFTER the events
 *   were accepted), one at a time or at random with a seeded source, and every call is counted;
 * - every accepted event's `id` is recorded with how often it arrived (Togai keeps the first and
 *   drops later ones with the same id: duplicates are detected, not billed).
 */
import { generateKeyPairSync, type KeyObject, randomUUID, sign, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { ingestBatchRequestViolation, ingestRequestViolation } from "./togai-schema";

export type TogaiPath = "/authenticate" | "/ingest" | "/ingestBatch";

/** A fault the stand-in plays instead of its normal answer, `times` times. */
export interface TogaiFault {
  readonly path: TogaiPath;
  readonly kind:
    | "status"
    | "slow"
    | "malformed"
    | "expired"
    | "no-token"
    | "reset"
    | "partial"
    /** Accepts and records the events, then answers only after `delayMs`. */
    | "accept-slow"
    /** Accepts and records the events, then answers `status` (e.g. 500): the lost success. */
    | "accept-then-status";
  /** For `status`: the HTTP status to answer. */
  readonly status?: number;
  /** For `status`: a `Retry-After` header to send (seconds or an HTTP date). */
  readonly retryAfter?: string;
  /** For `status`: the raw body to answer (default `{"message": ...}`). */
  readonly body?: string;
  /** For `slow`: delay before the normal answer. */
  readonly delayMs?: number;
  /** For `partial`: indexes of the batch's events to reject. */
  readonly failIndexes?: number[];
  /** How many requests the fault applies to. @default 1 */
  times?: number;
}

export interface StandInOptions {
  /** Secret keys Togai accepts. */
  readonly secretKeys?: string[];
  /** Per-second quotas; `false` turns them off (benchmarks). */
  readonly rateLimits?: { readonly authenticate: number; readonly ingest: number } | false;
  /**
   * Unauthenticated requests (rejected credentials) tolerated from one IP in any 30 minutes;
   * past it, every unauthenticated request gets 429 (and counts) until the window clears.
   * Togai's published quota, not adjustable. @default 5
   */
  readonly unauthenticatedLimit?: number;
  /** Token lifetime in seconds. @default 86400 */
  readonly tokenLifetimeSeconds?: number;
  /** Keep every accepted event in `events` (benchmarks turn this off). @default true */
  readonly keepEvents?: boolean;
  /** Faults played at random on ingest requests (soak tests), from a seeded source. */
  readonly randomFaults?: {
    readonly probability: number;
    readonly random: () => number;
    readonly faults: ReadonlyArray<Omit<TogaiFault, "path" | "times">>;
  };
}

export interface StandInCalls {
  authenticate: number;
  ingest: number;
  ingestBatch: number;
  /** Requests answered 429 because of the quotas. */
  throttled: number;
  /** Requests whose credential was rejected (401, or 429 once the IP is throttled). */
  rejected: number;
  /** Requests that carried one of this stand-in's own tokens past its `exp`. */
  expiredToken: number;
}

const PUBLISHED_QUOTAS = { authenticate: 10, ingest: 50 };

export class TogaiStandIn {
  readonly secretKeys: Set<string>;
  readonly calls: StandInCalls = {
    authenticate: 0,
    ingest: 0,
    ingestBatch: 0,
    throttled: 0,
    rejected: 0,
    expiredToken: 0,
  };
  /** How many times each event id was accepted (recorded even when `keepEvents` is false). */
  readonly idsSeen = new Map<string, number>();
  /** When each rejected credential arrived (Date.now(), so on a simulated clock too). */
  readonly rejectedAt: number[] = [];
  /**
   * Refuse every token presented as a bearer, while secret keys still mint (a partial outage, a
   * WAF rule, a change in how Togai echoes tokens).
   */
  refuseTokens = false;
  /** Every token minted, so tests can search their output for them. */
  readonly issuedTokens: string[] = [];
  /** Every event accepted. */
  readonly events: unknown[] = [];
  /** The Authorization credentials seen per path, by kind. */
  readonly credentialKinds: Array<{ path: string; kind: "token" | "secret-key" | "other" }> = [];
  private readonly faults: TogaiFault[] = [];
  private readonly revoked = new Set<string>();
  private readonly server: Server;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid = randomUUID();
  private readonly windows = new Map<string, { second: number; count: number }>();
  private port = 0;

  constructor(private readonly options: StandInOptions = {}) {
    this.secretKeys = new Set(options.secretKeys ?? []);
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        this.reply(res, 500, { message: `stand-in failure: ${(error as Error).message}` });
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  /** Starts listening on 127.0.0.1, on a free port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Plays `fault` on the next matching request(s). */
  inject(fault: TogaiFault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** From now on answers 401 to `token`, as Togai does for a token of a deactivated key. */
  revoke(token: string): void {
    this.revoked.add(token);
  }

  /** Drops every fault not yet played. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Mints a token as Togai would (also used to build expired or foreign tokens in tests). */
  mintToken(issuedAtSeconds = Math.floor(Date.now() / 1000), lifetimeSeconds?: number): string {
    const life = lifetimeSeconds ?? this.options.tokenLifetimeSeconds ?? 86_400;
    const header = { kid: this.kid, alg: "ES256", zip: "GZIP" };
    const claims = {
      iss: "https://iam.hypto.com",
      iat: issuedAtSeconds,
      exp: issuedAtSeconds + life,
      ver: "1.0",
      usr: `hrn:standin01::iam-user/${randomUUID()}`,
      org: "standin01x",
      entitlements: ["hrn:standin01$*:*"],
    };
    const head = Buffer.from(JSON.stringify(header)).toString("base64url");
    const body = gzipSync(Buffer.from(JSON.stringify(claims))).toString("base64url");
    const signature = sign("sha256", Buffer.from(`${head}.${body}`), {
      key: this.privateKey,
      dsaEncoding: "ieee-p1363",
    }).toString("base64url");
    const token = `${head}.${body}.${signature}`;
    this.issuedTokens.push(token);
    return token;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private isOwnValidToken(credential: string): boolean {
    if (this.revoked.has(credential)) return false;
    const parts = credential.split(".");
    if (parts.length !== 3) return false;
    const ok = verify(
      "sha256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: this.publicKey, dsaEncoding: "ieee-p1363" },
      Buffer.from(parts[2], "base64url"),
    );
    if (!ok) return false;
    const claims = JSON.parse(gunzipSync(Buffer.from(parts[1], "base64url")).toString("utf8"));
    if (claims.exp * 1000 > Date.now()) return true;
    this.calls.expiredToken++;
    return false;
  }

  private keep(events: unknown[]): void {
    for (const event of events) {
      const id = (event as { id?: unknown }).id;
      if (typeof id === "string") this.idsSeen.set(id, (this.idsSeen.get(id) ?? 0) + 1);
    }
    if (this.options.keepEvents !== false) this.events.push(...events);
  }

  /** Deliveries of an id that had already been accepted (Togai drops them; not billed). */
  get repeatedIdDeliveries(): number {
    let repeated = 0;
    for (const count of this.idsSeen.values()) repeated += count - 1;
    return repeated;
  }

  private takeFault(path: string): TogaiFault | undefined {
    const fault = this.faults.find((f) => f.path === path && (f.times ?? 0) > 0);
    if (fault) fault.times = (fault.times ?? 1) - 1;
    const chaos = this.options.randomFaults;
    if (!fault && chaos && path !== "/authenticate" && chaos.random() < chaos.probability) {
      const pick = chaos.faults[Math.floor(chaos.random() * chaos.faults.length)];
      return { ...pick, path: path as TogaiPath };
    }
    return fault;
  }

  private overQuota(path: TogaiPath): boolean {
    const limits =
      this.options.rateLimits === undefined ? PUBLISHED_QUOTAS : this.options.rateLimits;
    if (limits === false) return false;
    const group = path === "/authenticate" ? "authenticate" : path;
    const limit = path === "/authenticate" ? limits.authenticate : limits.ingest;
    const second = Math.floor(Date.now() / 1000);
    const window = this.windows.get(group);
    if (!window || window.second !== second) {
      this.windows.set(group, { second, count: 1 });
      return false;
    }
    window.count++;
    return window.count > limit;
  }

  private reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? "/").split("?")[0] as TogaiPath;
    if (req.method !== "POST" || !["/authenticate", "/ingest", "/ingestBatch"].includes(path)) {
      return this.reply(res, 404, { message: `No route for ${req.method} ${path}` });
    }
    if (path === "/authenticate") this.calls.authenticate++;
    else if (path === "/ingest") this.calls.ingest++;
    else this.calls.ingestBatch++;

    const fault = this.takeFault(path);
    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "slow") {
      await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
    }
    if (fault?.kind === "status") {
      return this.reply(
        res,
        fault.status ?? 500,
        fault.body ?? { message: `Injected HTTP ${fault.status}` },
        fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter },
      );
    }
    if (this.overQuota(path)) {
      this.calls.throttled++;
      return this.reply(res, 429, { message: "Too many requests" });
    }

    const auth = req.headers.authorization ?? "";
    const credential = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const isToken = credential.length > 0 && !this.refuseTokens && this.isOwnValidToken(credential);
    const isKey = this.secretKeys.has(credential);
    this.credentialKinds.push({ path, kind: isToken ? "token" : isKey ? "secret-key" : "other" });
    if (!isToken && !isKey) {
      this.calls.rejected++;
      const now = Date.now();
      const recent = this.rejectedAt.filter((at) => at > now - 30 * 60_000 && at <= now).length;
      this.rejectedAt.push(now);
      if (recent >= (this.options.unauthenticatedLimit ?? 5)) {
        return this.reply(res, 429, { message: "Too many unauthenticated requests from this IP" });
      }
      return this.reply(res, 401, { message: "Invalid credentials" });
    }

    if (path === "/authenticate") return this.authenticate(res, credential, isToken, fault);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return this.reply(res, 400, { message: "Request body is not JSON" });
    }
    if (path === "/ingest") {
      const why = ingestRequestViolation(body);
      if (why) return this.reply(res, 400, { message: `Invalid event: ${why}` });
      this.keep([(body as { event: unknown }).event]);
      return this.answerAccepted(res, fault);
    }
    const why = ingestBatchRequestViolation(body);
    if (why) return this.reply(res, 400, { message: `Invalid batch: ${why}` });
    const events = (body as { events: unknown[] }).events;
    if (fault?.kind === "partial") {
      const failed = new Set(fault.failIndexes ?? [0]);
      this.keep(events.filter((_, i) => !failed.has(i)));
      return this.reply(res, 207, {
        success: false,
        statusCode: 207,
        message: `${failed.size} of ${events.length} events were not accepted`,
        details: {
          failedEvents: [...failed].map((index) => ({ index, reason: "Injected rejection" })),
        },
      });
    }
    this.keep(events);
    return this.answerAccepted(res, fault);
  }

  /** The answer once events were accepted: 202, or a fault that hides the success. */
  private async answerAccepted(res: ServerResponse, fault: TogaiFault | undefined): Promise<void> {
    if (fault?.kind === "accept-slow") {
      await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
    }
    if (fault?.kind === "accept-then-status") {
      return this.reply(res, fault.status ?? 500, { message: `Injected HTTP ${fault.status}` });
    }
    if (!res.destroyed) this.reply(res, 202, { success: true });
  }

  private authenticate(
    res: ServerResponse,
    credential: string,
    isToken: boolean,
    fault: TogaiFault | undefined,
  ): void {
    if (fault?.kind === "malformed") {
      this.reply(res, 200, { token: "not-a-jwt" });
      return;
    }
    if (fault?.kind === "no-token") {
      this.reply(res, 200, {});
      return;
    }
    if (fault?.kind === "expired") {
      const twoDaysAgo = Math.floor(Date.now() / 1000) - 2 * 86_400;
      this.reply(res, 200, { token: this.mintToken(twoDaysAgo) });
      return;
    }
    // A token never extends itself: Togai returns the same token.
    const token = isToken ? credential : this.mintToken();
    this.reply(res, 200, { token });
  }
}

/** Starts a stand-in; the caller closes it (in afterAll / finally). */
export async function startTogaiStandIn(options: StandInOptions = {}): Promise<TogaiStandIn> {
  return new TogaiStandIn(options).start();
}

/**
 * The one stand-in lifecycle of the test files: started before a file's tests, its faults not
 * yet played dropped after each test, closed after them.
 */
export function useTogaiStandIn(options: StandInOptions = {}): { readonly togai: TogaiStandIn } {
  const used = {} as { togai: TogaiStandIn };
  beforeAll(async () => {
    used.togai = await startTogaiStandIn(options);
  });
  afterEach(() => used.togai?.clearFaults());
  afterAll(async () => {
    await used.togai?.close();
  });
  return used;
}
