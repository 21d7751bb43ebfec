"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { selectionFromParams, selectionToParams, selectionToRange, RANGE_PARAMS, type RangeSelection } from "./dateRange";

/**
 * Replaces some of the page's query parameters and keeps the others, so the range and the filters
 * (useDashboardFilters.ts) live side by side in one URL that can be bookmarked and shared.
 */
export function useReplaceParams() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  return useCallback(
    (names: readonly string[], next: URLSearchParams) => {
      const params = new URLSearchParams(searchParams.toString());
      for (const name of names) params.delete(name);
      for (const [name, value] of next) params.set(name, value);
      const qs = params.toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [router, pathname, searchParams],
  );
}

/** The dashboard's date range, kept in the URL (so a copied link shows the same days), in the site's time zone. */
export function useRangeSelection(timeZone: string) {
  const searchParams = useSearchParams();
  const replaceParams = useReplaceParams();
  const selection = useMemo(() => selectionFromParams(new URLSearchParams(searchParams.toString())), [searchParams]);
  const range = useMemo(() => selectionToRange(selection, timeZone), [selection, timeZone]);
  const setSelection = useCallback((next: RangeSelection) => replaceParams(RANGE_PARAMS, selectionToParams(next)), [replaceParams]);
  return { selection, range, setSelection };
}
