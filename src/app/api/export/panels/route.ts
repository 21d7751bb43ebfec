import { strToU8, zipSync } from "fflate";
import { ALL_PANELS, panelFileName } from "@/core/export/panels";
import { answerAnalytics } from "@/server/analyticsQuery";
import { panelCsvSource } from "@/server/panelExport";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/export/panels?[site=ID&][from&to][&limit=N][&filters=JSON]: "Export all", every panel's CSV in one zip (docs/exports.md). */
export function GET(request: Request): Promise<Response> {
  return answerAnalytics(request, async ({ siteId, range, limit, filters }) => {
    const csvOf = panelCsvSource(siteId, range, { limit, filters });
    const files: Record<string, Uint8Array> = {};
    for (const panel of ALL_PANELS) files[panelFileName(siteId, panel, range.from, range.to)] = strToU8(await csvOf(panel));
    return new Response(Buffer.from(zipSync(files)), {
      headers: {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename="pulse-${siteId}-${range.from}-${range.to}.zip"`,
        "cache-control": "no-store",
      },
    });
  });
}
