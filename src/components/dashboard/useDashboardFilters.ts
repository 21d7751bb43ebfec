"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { formatFilters, parseFilters, type Filter } from "@/core/dimensions/filters";
import { useReplaceParams } from "./useRangeSelection";

export const FILTERS_PARAM = "filters";

/** A filter as tRPC's report and breakdown inputs take it (src/server/api/siteReport.ts). */
export type FilterTriple = [Filter["dimension"], Filter["operator"], string];

/**
 * The dashboard's filters, kept in the URL as `?filters=<JSON>` (the text the API's `filters=`
 * takes, docs/dimensions.md) beside the range, read and written with the helpers of
 * src/core/dimensions/filters.ts. A hand-edited parameter that does not parse is ignored and said.
 */
export function useDashboardFilters() {
  const searchParams = useSearchParams();
  const replaceParams = useReplaceParams();
  const raw = searchParams.get(FILTERS_PARAM);
  const parsed = useMemo(() => parseFilters(raw), [raw]);
  const filters = useMemo(() => (parsed.ok ? parsed.filters : []), [parsed]);
  const triples = useMemo(
    () => (filters.length === 0 ? undefined : filters.map((f): FilterTriple => [f.dimension, f.operator, f.value])),
    [filters],
  );
  const setFilters = useCallback(
    (next: readonly Filter[]) => {
      const text = formatFilters(next);
      replaceParams([FILTERS_PARAM], new URLSearchParams(text ? { [FILTERS_PARAM]: text } : {}));
    },
    [replaceParams],
  );
  return { filters, triples, setFilters, invalid: parsed.ok ? null : parsed.message };
}
