import { getAnalyticsReport } from "@/core/db/analytics";
import { answerAnalytics, json } from "@/server/analyticsQuery";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/analytics?[site=ID&]from=YYYY-MM-DD&to=YYYY-MM-DD[&limit=N][&filters=JSON] (docs/api.md). */
export function GET(request: Request): Promise<Response> {
  return answerAnalytics(request, async ({ siteId, range, limit, filters }) =>
    json(200, await getAnalyticsReport(siteId, range, { limit, filters })),
  );
}
