/**
 * Where to send someone after sign-in. One rule for the sign-in page (server), the form (browser)
 * and NextAuth's redirect callback: the callback is parsed as a URL against the app's own origin
 * and followed only when it stays on that origin (protocol, host and port); anything else goes to
 * the dashboard. Parsing, not prefix checks, because browsers drop tabs and newlines and read "\"
 * as "/" ("/\t/evil.example" is "//evil.example" to them). No server imports: the form uses it.
 * (docs/security.md, "Where sign-in leads".)
 */

const DASHBOARD = "/";
/** Links the app makes are far shorter; a huge value is not one of them. */
const MAX_LENGTH = 2048;
/** C0 controls, DEL and C1 controls: never in a link the app made. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A same-origin path (path, query and fragment) for `value`, or "/" when it is missing, not a
 * string, not parseable, or leads anywhere but `baseUrl`'s origin. `value` may be a query
 * parameter's array; its first element counts.
 */
export function safeRedirectPath(value: unknown, baseUrl: string): string {
  const raw = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof raw !== "string" || raw === "" || raw.length > MAX_LENGTH || CONTROL_CHARACTERS.test(raw)) return DASHBOARD;
  let base: URL;
  let target: URL;
  try {
    base = new URL(baseUrl);
    target = new URL(raw, base);
  } catch {
    return DASHBOARD;
  }
  // origin is "null" for javascript:, data:, blob: and the like, so they never match.
  if (base.origin === "null" || target.origin !== base.origin) return DASHBOARD;
  const path = `${target.pathname}${target.search}${target.hash}`;
  // "/.//evil.example" parses to the path "//evil.example", which a browser reads as another host.
  return /^\/[/\\]/.test(path) ? DASHBOARD : path;
}
