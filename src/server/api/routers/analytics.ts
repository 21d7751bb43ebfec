import { rangeInputSchema } from "@/core/analytics/range";
import { siteReport } from "@/server/api/siteReport";
import { createTRPCRouter, siteProcedure } from "@/server/api/trpc";

export const analyticsRouter = createTRPCRouter({
  report: siteProcedure.input(rangeInputSchema).query(({ ctx, input }) => siteReport(ctx.site, input)),
});
