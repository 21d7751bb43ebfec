import { isPanelId, panelFileName, ALL_PANELS } from "@/core/export/panels";
import { answerAnalytics, json } from "@/server/analyticsQuery";
import { panelCsvSource } from "@/server/panelExport";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/export/panel?panel=P[&site=ID][&from&to][&limit=N][&filters=JSON] (docs/exports.md):
 * one dashboard panel as CSV, with the numbers GET /api/analytics gives for the same query.
 */
export function GET(request: Request): Promise<Response> {
  return answerAnalytics(request, async ({ siteId, range, limit, filters, params }) => {
    const panel = params.get("panel") ?? "";
    if (!isPanelId(panel)) {
      return json(400, { error: "invalid_query", issues: [{ path: "panel", message: `panel must be one of ${ALL_PANELS.join(", ")}` }] });
    }
    const csv = await panelCsvSource(siteId, range, { limit, filters })(panel);
    return new Response(csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${panelFileName(siteId, panel, range.from, range.to)}"`,
        "cache-control": "no-store",
      },
    });
  });
}
