"use client";

import { skipToken } from "@tanstack/react-query";
import type { DateRange } from "@/core/analytics/types";
import type { DimensionName } from "@/core/dimensions/registry";
import { api, type RouterOutputs } from "@/trpc/react";
import { REFRESH_INTERVAL_MS } from "../refresh";
import type { FilterTriple } from "../useDashboardFilters";

export type Breakdown = RouterOutputs["analytics"]["breakdown"];

/** Whose breakdowns a panel reads: the signed-in dashboard's site, or a shared link's token. */
export type ReportSource = { kind: "site"; siteId: string } | { kind: "shared"; token: string };

/**
 * One panel tab's rows through analytics.breakdown or shared.breakdown (the same siteBreakdown,
 * src/server/api/siteReport.ts); the other procedure is skipped. While the range or filters change,
 * the tab keeps its previous rows (dimmed by the panel) rather than flashing a skeleton, but never
 * shows another tab's rows as this one's.
 */
export function useBreakdown(source: ReportSource, dimension: DimensionName, range: DateRange, filters: FilterTriple[] | undefined) {
  const input = { dimension, ...range, ...(filters ? { filters } : {}) };
  const options = {
    refetchInterval: REFRESH_INTERVAL_MS,
    placeholderData: (previous: Breakdown | undefined) => (previous?.dimension === dimension ? previous : undefined),
  };
  const site = api.analytics.breakdown.useQuery(source.kind === "site" ? { siteId: source.siteId, ...input } : skipToken, options);
  const shared = api.shared.breakdown.useQuery(source.kind === "shared" ? { token: source.token, ...input } : skipToken, options);
  return source.kind === "site" ? site : shared;
}
