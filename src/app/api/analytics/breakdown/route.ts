import { getBreakdown } from "@/core/db/analytics";
import { answerAnalytics, dimensionParam, json } from "@/server/analyticsQuery";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/analytics/breakdown?dimension=D[&site=ID][&from&to][&limit=N][&filters=JSON] (docs/api.md). */
export function GET(request: Request): Promise<Response> {
  return answerAnalytics(request, async ({ siteId, range, limit, filters, params }) => {
    const dimension = dimensionParam(params);
    if (dimension instanceof Response) return dimension;
    return json(200, await getBreakdown(siteId, range, dimension, { limit, filters }));
  });
}
