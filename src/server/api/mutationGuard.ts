import { isJsonContentType } from "@/server/ingest/body";

/**
 * Cross-site request forgery guard for POST /api/trpc (every tRPC mutation is a POST; tRPC refuses
 * queries over POST and mutations over GET by itself). The session cookie travels with any request
 * a browser makes to us, so a state change is accepted only when:
 *  - `Origin` is the app's own origin (config app.base_url). Browsers always send Origin on a POST
 *    and a page cannot forge it. The request's Host does not count: behind a proxy it names the
 *    internal address, and NextAuth already sends every sign-in to app.base_url, so that is the one
 *    address the dashboard works at;
 *  - `Content-Type` is application/json. HTML forms can only send urlencoded, multipart or
 *    text/plain bodies, and tRPC would otherwise run a mutation from a multipart form.
 * Returns the refusal to send, or null to let tRPC handle the request.
 */
export function refuseUnsafeMutation(request: Request, appOrigin: string): Response | null {
  if (request.method !== "POST") return null;
  if (originOf(request.headers.get("origin")) !== appOrigin) {
    return refusal(403, "forbidden", "cross-origin request refused: Origin must be this app's own address (app.base_url)");
  }
  if (!isJsonContentType(request.headers.get("content-type"))) {
    return refusal(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  return null;
}

/** The normalised origin of an Origin header; null when absent, "null" (sandboxed pages) or malformed. */
function originOf(header: string | null): string | null {
  if (!header || header === "null") return null;
  try {
    return new URL(header).origin;
  } catch {
    return null;
  }
}

function refusal(status: number, error: string, message: string): Response {
  return Response.json({ error, message }, { status, headers: { "cache-control": "no-store" } });
}
