import type { Session } from "next-auth";
import { verifyApiKey, type VerifiedApiKey } from "@/core/db/apiKeys";
import { getSite, siteForUser, type SiteRecord } from "@/core/db/sites";
import { logger } from "@/core/logging/logger";
import { getServerAuthSession } from "@/server/auth";
import { apiKeyFromHeaders } from "@/server/ingest/auth";

/**
 * Who may read a route's data (GET /api/analytics, the details of GET /api/health): an API key
 * with the `read` scope or a dashboard session. A request that carries a key is judged by the key
 * alone (a bad or revoked one is 401, one without `read` is 403), whatever cookie it also carries.
 */
export type ReadAccess =
  | { kind: "api_key"; key: VerifiedApiKey }
  | { kind: "session"; session: Session }
  /** Neither a key nor a session: each route decides (analytics answers 401, health its public body). */
  | { kind: "anonymous" }
  | { kind: "denied"; response: Response };

/** Throws when the key cannot be checked (PostgreSQL and Redis both unreachable). */
export async function checkReadAccess(request: Request): Promise<ReadAccess> {
  const secret = apiKeyFromHeaders(request.headers.get("authorization"), request.headers.get("x-api-key"));
  if (secret) {
    const key = await verifyApiKey(secret);
    if (!key) return { kind: "denied", response: denied(401, "unauthorized", "unknown or revoked API key") };
    if (!key.scopes.includes("read")) {
      return { kind: "denied", response: denied(403, "forbidden", 'this API key lacks the "read" scope') };
    }
    return { kind: "api_key", key };
  }
  const session = await currentSession();
  return session ? { kind: "session", session } : { kind: "anonymous" };
}

/**
 * The site a read is about (docs/api.md): a key reads its own site (`site=`, when given, must be
 * it); a dashboard session must name the site with `site=` and have a role on it. A site the
 * user may not see is a 404, the same as one that does not exist.
 */
export async function siteForRead(
  access: Extract<ReadAccess, { kind: "api_key" | "session" }>,
  siteParam: string | null,
): Promise<SiteRecord | Response> {
  if (access.kind === "api_key") {
    if (siteParam !== null && siteParam !== access.key.siteId) return denied(403, "forbidden", "this API key belongs to another site");
    const site = await getSite(access.key.siteId);
    return site ?? denied(401, "unauthorized", "the API key's site no longer exists");
  }
  if (siteParam === null) {
    return Response.json(
      { error: "invalid_query", issues: [{ path: "site", message: "site is required with a dashboard session (the site's id)" }] },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  }
  const user = access.session.user;
  const site =
    /^[0-9a-f-]{36}$/i.test(siteParam) && user.id ? await siteForUser({ id: user.id, role: user.role ?? "member" }, siteParam) : null;
  return site ?? Response.json({ error: "not_found", message: "no such site" }, { status: 404, headers: { "cache-control": "no-store" } });
}

/**
 * The whole read check of a site-scoped route (GET /api/analytics, /api/live): a key or a session
 * (401 without either), then the site of `site=` it may read; the first that fails answers.
 */
export async function checkSiteRead(
  request: Request,
): Promise<{ access: Extract<ReadAccess, { kind: "api_key" | "session" }>; site: SiteRecord; params: URLSearchParams } | Response> {
  const access = await checkReadAccess(request);
  if (access.kind === "denied") return access.response;
  if (access.kind === "anonymous") return readAccessRequired();
  const params = new URL(request.url).searchParams;
  const site = await siteForRead(access, params.get("site"));
  if (site instanceof Response) return site;
  return { access, site, params };
}

/** The 401 for a route that has nothing to show without a key or a session. */
export function readAccessRequired(): Response {
  return denied(401, "unauthorized", "send an API key with the read scope (Authorization: Bearer <key> or X-API-Key) or sign in");
}

/** The dashboard session, if any; without a configured auth secret nobody can have one. */
async function currentSession(): Promise<Session | null> {
  try {
    return await getServerAuthSession();
  } catch (err) {
    logger.warn({ err }, "no dashboard session check possible");
    return null;
  }
}

function denied(status: 401 | 403, error: string, message: string): Response {
  return Response.json({ error, message }, { status, headers: { "cache-control": "no-store" } });
}
