import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getEtlStatus } from "@/core/db/etlRuns";
import { enqueueManualEtlRun, getEtlJobState } from "@/core/queues/etlQueue";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";

/** ETL status and "run now", thin over the ETL's run history and queue (src/core). */
export const etlRouter = createTRPCRouter({
  status: protectedProcedure.query(() => getEtlStatus()),

  /**
   * Queues one pass. While a pass is queued or running no second one is started: the caller gets
   * the running job to follow instead (`alreadyRunning: true`).
   */
  runNow: protectedProcedure.mutation(async ({ ctx }) => {
    const { status, jobId } = await enqueueManualEtlRun(undefined, ctx.session.user.email ?? undefined);
    return { jobId, alreadyRunning: status === "already_running" };
  }),

  /** Progress and result of a pass started (or followed) with runNow. */
  job: protectedProcedure.input(z.object({ jobId: z.string().min(1).max(200) })).query(async ({ input }) => {
    const state = await getEtlJobState(input.jobId);
    if (!state) throw new TRPCError({ code: "NOT_FOUND", message: "No such ETL job (it may have expired)." });
    return state;
  }),
});
