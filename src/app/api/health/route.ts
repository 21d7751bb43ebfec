import { logger } from "@/core/logging/logger";
import { listSitesFor } from "@/core/db/sites";
import { detailedHealth, publicHealth, quarantineSection, type SiteScope } from "@/server/health/report";
import { checkReadAccess, type ReadAccess } from "@/server/readAccess";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/health: 200 when Kafka, PostgreSQL and Redis answer, 503 otherwise; never cached.
 * Anyone sees which dependency is down; a session or a `read` key also gets the details
 * (src/server/health/report.ts). A bad key is 401, a key without `read` 403.
 */
export async function GET(request: Request): Promise<Response> {
  let access: ReadAccess;
  try {
    access = await checkReadAccess(request);
  } catch (err) {
    // Keys cannot be checked (PostgreSQL and Redis down): the public body still tells the truth.
    logger.warn({ err }, "health: read access cannot be checked; answering with the public report");
    access = { kind: "anonymous" };
  }
  if (access.kind === "denied") return access.response;
  const report =
    access.kind === "anonymous"
      ? await publicHealth()
      : { ...(await detailedHealth()), quarantine: await quarantineSection(await scopeOf(access)) };
  return Response.json(report, { status: report.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}

/** A key reads its own site; a session the sites its user has a role on (every site for an admin). */
async function scopeOf(access: Extract<ReadAccess, { kind: "api_key" | "session" }>): Promise<SiteScope> {
  if (access.kind === "api_key") return { sites: [access.key.siteId] };
  const user = access.session.user;
  if (user.role === "admin") return { sites: "all" };
  return { sites: user.id ? (await listSitesFor({ id: user.id, role: "member" })).map((s) => s.id) : [] };
}
