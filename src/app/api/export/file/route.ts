import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { getConfig } from "@/core/config";
import { EXPORT_JOB_ID, getExportsQueue, type RawExportResult } from "@/core/queues/exports";
import { json } from "@/server/analyticsQuery";
import { checkSiteRead } from "@/server/readAccess";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/export/file?site=ID&job=J (docs/exports.md, "Big exports"): the file a raw export job
 * prepared, for whoever may read the site; another site's job, an unfinished one or an expired
 * file is a 404.
 */
export async function GET(request: Request): Promise<Response> {
  const target = await checkSiteRead(request);
  if (target instanceof Response) return target;
  const jobId = target.params.get("job") ?? "";
  const job = EXPORT_JOB_ID.test(jobId) ? await getExportsQueue().getJob(jobId) : undefined;
  const result = job?.returnvalue as RawExportResult | null | undefined;
  if (!job || job.data.siteId !== target.site.id || !result)
    return json(404, { error: "not_found", message: "no such export (or not ready)" });
  const file = path.join(path.resolve(getConfig().exports.dir), path.basename(result.file));
  const size = await stat(file).then(
    (s) => s.size,
    () => null,
  );
  if (size === null) return json(404, { error: "not_found", message: "this export has expired; prepare it again" });
  const { range, format, siteId } = job.data;
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, {
    headers: {
      "content-type": "application/gzip",
      "content-length": String(size),
      "content-disposition": `attachment; filename="events-${siteId}-${range.from}-${range.to}.${format}.gz"`,
      "cache-control": "no-store",
    },
  });
}
