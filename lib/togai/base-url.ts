/**
 * The one rule for where a Togai secret key or token may be sent: https, or plain http to this
 * machine only (a local stand-in in tests). The constructs check `apiBaseUrl` with it at synth,
 * the operator command before it sends a key.
 */

/** Hosts plain http may reach: only this machine's loopback. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** What is wrong with a base URL, by rule. */
export type TogaiBaseUrlProblem =
  /** Not an absolute URL. */
  | "not-absolute"
  /** Neither https nor plain http to loopback. */
  | "insecure"
  /** Has a path, query, fragment or credentials: Togai's base URL is an origin. */
  | "not-an-origin";

/** `value` parsed, and the first rule it breaks (none when `problem` is undefined). */
export interface TogaiBaseUrlCheck {
  readonly url?: URL;
  readonly problem?: TogaiBaseUrlProblem;
}

/** Checks `value` against the rule; an origin (no path) is what Togai's base URL always is. */
export function checkTogaiBaseUrl(value: string): TogaiBaseUrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: "not-absolute" };
  }
  const loopbackHttp = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !loopbackHttp) return { url, problem: "insecure" };
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    return { url, problem: "not-an-origin" };
  }
  return { url };
}
