import { TRPCError } from "@trpc/server";
import { InvalidRangeError, rangeInputSchema, resolveRange } from "@/core/analytics/range";
import { getAnalyticsReport } from "@/core/db/analytics";
import { createTRPCRouter, siteProcedure } from "@/server/api/trpc";

/** Rows per list the dashboard shows (pages, buttons); the same as GET /api/analytics?limit=25. */
export const DASHBOARD_LIST_LIMIT = 25;

/** Thin over the data layer: the same getAnalyticsReport that GET /api/analytics answers with (docs/api.md). */
export const analyticsRouter = createTRPCRouter({
  report: siteProcedure.input(rangeInputSchema).query(async ({ ctx, input }) => {
    let range;
    try {
      range = resolveRange(input, ctx.site.timeZone);
    } catch (err) {
      if (err instanceof InvalidRangeError) throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
      throw err;
    }
    return getAnalyticsReport(ctx.site.id, range, { limit: DASHBOARD_LIST_LIMIT });
  }),
});
