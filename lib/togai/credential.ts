/**
 * Whether a string can be sent as `Authorization: Bearer <credential>`. Togai's keys and tokens
 * are printable ASCII without spaces; anything else is a paste or storage mistake (a trailing
 * line inside the value, a JSON document around the key, a typographic character). Sending it
 * would fail in the HTTP client, or count as a rejected credential towards Togai's per-IP
 * throttle, so it is refused before any request.
 */
export function bearerCredentialProblem(credential: string): string | undefined {
  if (credential.length === 0) return "it is empty";
  // A JSON document around the key (Terraform's jsonencode, a quoted shell string, a console
  // "key/value" secret) passes the character checks below, yet Togai would reject it.
  if (/^["[{]/.test(credential)) {
    try {
      const parsed: unknown = JSON.parse(credential);
      if (Array.isArray(parsed)) return "it is a JSON array, not the bare key";
      if (typeof parsed === "object") return "it is a JSON object, not the bare key";
      if (typeof parsed === "string") return "it is a JSON string in quotes, not the bare key";
    } catch {
      // not JSON: the checks below name what is wrong
    }
  }
  if (/\s/.test(credential)) return "it contains whitespace or a line break";
  if (/[^\x21-\x7e]/.test(credential)) return "it contains characters outside printable ASCII";
  return undefined;
}
