import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { FilterTriple } from "@/core/analytics/types";
import {
  EXPORT_JOB_ID,
  getExportsQueue,
  RAW_EXPORT_JOB,
  type RawExportJobData,
  type RawExportProgress,
  type RawExportResult,
} from "@/core/queues/exports";
import { rangeOf, reportInputSchema } from "@/server/api/siteReport";
import { createTRPCRouter, siteProcedure } from "@/server/api/trpc";

const KEEP = { removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 86_400 } };

/** Big raw exports as a job (docs/exports.md, "Big exports"): any member who may read the site may export it. */
export const exportsRouter = createTRPCRouter({
  start: siteProcedure.input(reportInputSchema.extend({ format: z.enum(["ndjson", "csv"]) })).mutation(async ({ ctx, input }) => {
    const { filters, format, ...rangeInput } = input;
    const data: RawExportJobData = {
      siteId: ctx.site.id,
      timeZone: ctx.site.timeZone,
      range: rangeOf(ctx.site, rangeInput),
      format,
      filters: (filters ?? []).map((f): FilterTriple => [f.dimension, f.operator, f.value]),
      requestedBy: ctx.session.user.email ?? undefined,
    };
    const job = await getExportsQueue().add(RAW_EXPORT_JOB, data, KEEP);
    if (!job.id) throw new Error("BullMQ returned a job without an id");
    return { jobId: job.id };
  }),

  status: siteProcedure.input(z.object({ jobId: z.string().regex(EXPORT_JOB_ID, "not an export id") })).query(async ({ ctx, input }) => {
    const job = await getExportsQueue().getJob(input.jobId);
    // Another site's job looks the same as none.
    if (!job || job.data.siteId !== ctx.site.id) throw new TRPCError({ code: "NOT_FOUND", message: "No export with that id." });
    const state = await job.getState();
    const progress = (typeof job.progress === "object" ? job.progress : { events: 0, filesRead: 0 }) as RawExportProgress;
    const result = job.returnvalue as RawExportResult | null;
    return {
      state,
      events: result?.events ?? progress.events ?? 0,
      bytes: result?.bytes ?? null,
      error: job.failedReason || null,
      download: state === "completed" ? `/api/export/file?${new URLSearchParams({ site: ctx.site.id, job: input.jobId })}` : null,
    };
  }),
});
