/**
 * A scripted Togai for unit tests of the client and its sender: it replaces PoolTransport (the
 * only code that opens sockets) through `jest.mock`, so everything above the wire runs as
 * shipped, on fake timers. pool-transport.test.ts tests PoolTransport itself on loopback.
 *
 *   jest.mock("../../lib/runtime/pool-transport", () => jest.requireActual("./scripted-transport"));
 */
import type { TokenSecretValue } from "../../lib/contract";
import type { TogaiTransport } from "../../lib/togai/togai-api";

/** One answer: a status (with body and Retry-After), a thrown error, or one the test settles. */
export type ScriptedAnswer =
  | { status: number; body?: unknown; retryAfter?: string }
  | { error: Error }
  | { held: Promise<ScriptedAnswer> };

export interface SentRequest {
  readonly origin: string;
  readonly path: string;
  readonly token: string;
  readonly body: unknown;
}

/** The requests the client made and the answers still to play (then 202), shared by the file. */
export const togai = {
  sent: [] as SentRequest[],
  answers: [] as ScriptedAnswer[],
  closed: 0,
  reset(): void {
    togai.sent.length = 0;
    togai.answers.length = 0;
    togai.closed = 0;
  },
  /** Answers the next requests, in order; later ones get 202. */
  next(...answers: ScriptedAnswer[]): void {
    togai.answers.push(...answers);
  },
  /** An answer the test gives later with `settle`. */
  hold(): { answer: ScriptedAnswer; settle: (a: ScriptedAnswer) => void } {
    let settle: (a: ScriptedAnswer) => void = () => {};
    const held = new Promise<ScriptedAnswer>((resolve) => {
      settle = resolve;
    });
    return { answer: { held }, settle };
  },
};

async function play(answer: ScriptedAnswer): Promise<Awaited<ReturnType<TogaiTransport>>> {
  if ("held" in answer) return play(await answer.held);
  if ("error" in answer) throw answer.error;
  return {
    status: answer.status,
    text: answer.body === undefined ? "" : JSON.stringify(answer.body),
    retryAfter: answer.retryAfter,
  };
}

/** Stands in for PoolTransport: same surface, no sockets. */
export class PoolTransport {
  private closed = false;

  for(origin: string): TogaiTransport {
    if (this.closed) throw new Error("scripted transport used after close()");
    return async (url, init) => {
      togai.sent.push({
        origin,
        path: url.pathname,
        token: init.headers.authorization.replace(/^Bearer /, ""),
        body: init.body === undefined ? undefined : JSON.parse(init.body),
      });
      return play(togai.answers.shift() ?? { status: 202, body: { success: true } });
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    togai.closed++;
  }
}

/** A token source whose secret the test changes; counts forced re-reads. */
export function scriptedTokens(token = "tok-1") {
  const source = {
    secret: {
      schemaVersion: 1,
      token,
      apiBaseUrl: "https://togai.test",
      expiresAt: "2099-01-01T00:00:00Z",
      issuedAt: "2026-01-01T00:00:00Z",
    } as TokenSecretValue,
    refreshes: 0,
    getTokenSecret: async (): Promise<TokenSecretValue> => source.secret,
    forceRefresh: async (): Promise<string> => {
      source.refreshes++;
      return source.secret.token;
    },
  };
  return source;
}

/** Settles of a promise, read without awaiting it. */
export function track<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error) => Object.assign(state, { error, done: true }),
  );
  return state;
}
