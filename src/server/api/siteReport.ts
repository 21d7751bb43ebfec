import { TRPCError } from "@trpc/server";
import { InvalidRangeError, resolveRange, type RangeInput } from "@/core/analytics/range";
import { getAnalyticsReport } from "@/core/db/analytics";

/** Rows per list the dashboard shows (pages, buttons); the same as GET /api/analytics?limit=25. */
export const DASHBOARD_LIST_LIMIT = 25;

/**
 * The dashboard's report of one site, for the signed-in dashboard (analytics.report) and the shared
 * link (shared.report): the same getAnalyticsReport that GET /api/analytics answers with (docs/api.md),
 * with dates in the site's time zone.
 */
export async function siteReport(site: { id: string; timeZone: string }, input: RangeInput) {
  let range;
  try {
    range = resolveRange(input, site.timeZone);
  } catch (err) {
    if (err instanceof InvalidRangeError) throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
    throw err;
  }
  return getAnalyticsReport(site.id, range, { limit: DASHBOARD_LIST_LIMIT });
}
