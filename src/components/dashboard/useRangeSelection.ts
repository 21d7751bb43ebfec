"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { selectionFromParams, selectionToParams, selectionToRange, type RangeSelection } from "./dateRange";

/** The dashboard's date range, kept in the URL (so a copied link shows the same days), in the site's time zone. */
export function useRangeSelection(timeZone: string) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const selection = useMemo(() => selectionFromParams(new URLSearchParams(searchParams.toString())), [searchParams]);
  const range = useMemo(() => selectionToRange(selection, timeZone), [selection, timeZone]);
  const setSelection = useCallback(
    (next: RangeSelection) => {
      const qs = selectionToParams(next).toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [router, pathname],
  );
  return { selection, range, setSelection };
}
