import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getEtlStatus } from "@/core/db/etlRuns";
import { enqueueManualEtlRun, getEtlJobState } from "@/core/queues/etlQueue";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";

/** ETL status and "run now", thin over the ETL's own run history and queue (src/core). */
export const etlRouter = createTRPCRouter({
  status: protectedProcedure.query(() => getEtlStatus()),

  /** Enqueues one pass; refuses (CONFLICT) while a pass is queued or running, so two never overlap. */
  runNow: protectedProcedure.mutation(async ({ ctx }) => {
    const result = await enqueueManualEtlRun({ requestedBy: ctx.session.user.email ?? undefined });
    if (!result.enqueued) {
      throw new TRPCError({ code: "CONFLICT", message: "An ETL pass is already running; wait for it to finish." });
    }
    return { jobId: result.jobId };
  }),

  /** Progress and result of a pass started with runNow. */
  job: protectedProcedure.input(z.object({ jobId: z.string().min(1).max(200) })).query(async ({ input }) => {
    const state = await getEtlJobState(input.jobId);
    if (!state) throw new TRPCError({ code: "NOT_FOUND", message: "No such ETL job (it may have expired)." });
    return state;
  }),
});
