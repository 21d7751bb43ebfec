import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getEtlStatus } from "@/core/db/etlRuns";
import { enqueueManualEtlRun, getEtlJobState } from "@/core/queues/etlQueue";
import { createTRPCRouter, siteEditorProcedure, siteProcedure } from "@/server/api/trpc";

/** ETL status and "run now", thin over the ETL's run history and queue (src/core). */
export const etlRouter = createTRPCRouter({
  /** The platform's passes (one ETL serves every site) and what was set aside of this site. */
  status: siteProcedure.query(({ ctx }) => getEtlStatus(ctx.site.id)),

  /**
   * Queues one pass. While a pass is queued or running no second one is started: the caller gets
   * the running job to follow instead (`alreadyRunning: true`).
   */
  runNow: siteEditorProcedure.mutation(async ({ ctx }) => {
    const { status, jobId } = await enqueueManualEtlRun(undefined, ctx.user.email || undefined);
    return { jobId, alreadyRunning: status === "already_running" };
  }),

  /** Progress and result of a pass started (or followed) with runNow. */
  job: siteProcedure.input(z.object({ jobId: z.string().min(1).max(200) })).query(async ({ input }) => {
    const state = await getEtlJobState(input.jobId);
    if (!state) throw new TRPCError({ code: "NOT_FOUND", message: "No such ETL job (it may have expired)." });
    return state;
  }),
});
