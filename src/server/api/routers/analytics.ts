import { breakdownInputSchema, reportInputSchema, siteBreakdown, siteReport } from "@/server/api/siteReport";
import { createTRPCRouter, siteProcedure } from "@/server/api/trpc";

export const analyticsRouter = createTRPCRouter({
  report: siteProcedure.input(reportInputSchema).query(({ ctx, input }) => siteReport(ctx.site, input)),
  breakdown: siteProcedure.input(breakdownInputSchema).query(({ ctx, input }) => siteBreakdown(ctx.site, input)),
});
