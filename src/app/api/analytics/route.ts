import { InvalidRangeError, resolveRange } from "@/core/analytics/range";
import { getAnalyticsReport } from "@/core/db/analytics";
import { logger } from "@/core/logging/logger";
import { checkReadAccess, readAccessRequired, siteForRead } from "@/server/readAccess";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Rows per list (pages, buttons) when the request names no limit (docs/api.md). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

/** GET /api/analytics?[site=ID&]from=YYYY-MM-DD&to=YYYY-MM-DD[&limit=N] (docs/api.md). */
export async function GET(request: Request): Promise<Response> {
  try {
    const access = await checkReadAccess(request);
    if (access.kind === "denied") return access.response;
    if (access.kind === "anonymous") return readAccessRequired();
    const params = new URL(request.url).searchParams;
    const site = await siteForRead(access, params.get("site"));
    if (site instanceof Response) return site;
    let range;
    try {
      range = resolveRange({ from: params.get("from") ?? undefined, to: params.get("to") ?? undefined }, site.timeZone);
    } catch (err) {
      if (err instanceof InvalidRangeError) {
        return json(400, { error: "invalid_query", issues: [{ path: err.path, message: err.message }] });
      }
      throw err;
    }
    const rawLimit = params.get("limit");
    const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return json(400, { error: "invalid_query", issues: [{ path: "limit", message: `limit must be an integer from 1 to ${MAX_LIMIT}` }] });
    }
    return json(200, await getAnalyticsReport(site.id, range, { limit }));
  } catch (err) {
    logger.error({ err }, "analytics query failed");
    return json(
      503,
      { error: "service_unavailable", message: "analytics are unavailable right now; try again shortly" },
      { "retry-after": "5" },
    );
  }
}
