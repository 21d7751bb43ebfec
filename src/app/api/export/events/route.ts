import { getConfig } from "@/core/config";
import { rawCsvChunks } from "@/core/export/csv";
import { emptyStats, ndjsonChunks } from "@/core/export/rawEvents";
import { sessionsMatching } from "@/core/export/sessions";
import { gzipWebStream } from "@/core/export/stream";
import { logger } from "@/core/logging/logger";
import { answerAnalytics, json } from "@/server/analyticsQuery";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const FORMATS = { ndjson: "ndjson", csv: "csv" } as const;

/**
 * GET /api/export/events?[site=ID&]from&to[&format=ndjson|csv][&filters=JSON] (docs/exports.md):
 * the site's raw events of the range, gzip-compressed and streamed as they are read from the logs.
 * NDJSON is the logged lines byte for byte; CSV has one column per field and dimension.
 */
export function GET(request: Request): Promise<Response> {
  return answerAnalytics(request, async ({ siteId, timeZone, range, filters, params }) => {
    const format = params.get("format") ?? "ndjson";
    if (format !== FORMATS.ndjson && format !== FORMATS.csv) {
      return json(400, { error: "invalid_query", issues: [{ path: "format", message: "format must be ndjson or csv" }] });
    }
    const sessions = filters.length > 0 ? await sessionsMatching(siteId, range, filters) : undefined;
    const query = { logsDir: getConfig().logs.dir, siteId, range, timeZone, sessions, signal: request.signal };
    const stats = emptyStats();
    const started = Date.now();
    const chunks = format === "csv" ? rawCsvChunks(query, stats) : ndjsonChunks(query, stats);
    const body = gzipWebStream(chunks, (err) => {
      const detail = { siteId, range, format, ...stats, ms: Date.now() - started };
      if (err) logger.warn({ ...detail, error: err.message }, "raw export stopped before its end");
      else logger.info(detail, "raw export done");
    });
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": "application/gzip",
        "content-disposition": `attachment; filename="events-${siteId}-${range.from}-${range.to}.${format}.gz"`,
        "cache-control": "no-store",
      },
    });
  });
}
