import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { InvalidRangeError, rangeInputSchema, resolveRange, type RangeInput } from "@/core/analytics/range";
import { getAnalyticsReport, getBreakdown } from "@/core/db/analytics";
import { filtersSchema, type Filter } from "@/core/dimensions/filters";
import { DIMENSIONS, dimensionNamed, type DimensionName } from "@/core/dimensions/registry";

/** Rows per list the dashboard shows (pages, buttons); the same as GET /api/analytics?limit=25. */
export const DASHBOARD_LIST_LIMIT = 25;
/** Rows per breakdown panel tab. */
export const DASHBOARD_BREAKDOWN_LIMIT = 10;

/** A report's input: the range and, optionally, filters (docs/dimensions.md). */
export const reportInputSchema = rangeInputSchema.extend({ filters: filtersSchema.optional() });
export type ReportInput = z.infer<typeof reportInputSchema>;

const dimensionNames = DIMENSIONS.map((d) => d.name) as [DimensionName, ...DimensionName[]];
export const breakdownInputSchema = reportInputSchema.extend({
  dimension: z.enum(dimensionNames),
  limit: z.number().int().min(1).max(100).optional(),
});
export type BreakdownInput = z.infer<typeof breakdownInputSchema>;

type Site = { id: string; timeZone: string };

export function rangeOf(site: Site, input: RangeInput) {
  try {
    return resolveRange(input, site.timeZone);
  } catch (err) {
    if (err instanceof InvalidRangeError) throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
    throw err;
  }
}

/**
 * The dashboard's report of one site, for the signed-in dashboard (analytics.report) and the shared
 * link (shared.report): the same getAnalyticsReport that GET /api/analytics answers with (docs/api.md),
 * with dates in the site's time zone.
 */
export async function siteReport(site: Site, input: ReportInput) {
  const { filters, ...range } = input;
  return getAnalyticsReport(site.id, rangeOf(site, range), { limit: DASHBOARD_LIST_LIMIT, filters: (filters ?? []) as Filter[] });
}

/** One breakdown panel tab (analytics.breakdown, shared.breakdown): the same as GET /api/analytics/breakdown. */
export async function siteBreakdown(site: Site, input: BreakdownInput) {
  const { filters, dimension, limit, ...range } = input;
  return getBreakdown(site.id, rangeOf(site, range), dimensionNamed(dimension)!, {
    limit: limit ?? DASHBOARD_BREAKDOWN_LIMIT,
    filters: (filters ?? []) as Filter[],
  });
}
