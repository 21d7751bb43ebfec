"use client";

import type { Filter } from "@/core/dimensions/filters";
import { filterLabel } from "./labels";

/** The page's filters as chips: × removes one (the others stay); "Clear all" when there are several. */
export function FilterChips({
  filters,
  onRemove,
  onClear,
  invalid,
}: {
  filters: readonly Filter[];
  onRemove: (index: number) => void;
  onClear: () => void;
  /** Why the URL's `filters` parameter was ignored, if it was. */
  invalid: string | null;
}) {
  if (filters.length === 0 && !invalid) return null;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {invalid ? (
        <p role="alert" className="text-sm text-amber-300">
          The filters in this address were ignored: {invalid}.{" "}
          <button type="button" onClick={onClear} className="font-medium underline underline-offset-2 hover:text-amber-200">
            Remove them
          </button>
        </p>
      ) : null}
      {filters.length > 0 ? (
        <>
          <span className="text-xs font-medium uppercase tracking-wide text-gray-500">Filtered by</span>
          <ul aria-label="Filters" className="flex min-w-0 flex-wrap gap-2">
            {filters.map((f, i) => {
              const label = filterLabel(f);
              return (
                <li
                  key={`${f.dimension}:${f.operator}:${f.value}`}
                  className="flex min-w-0 max-w-full items-center gap-1 rounded-full bg-indigo-500/15 py-1 pl-3 pr-1 text-sm text-indigo-100 ring-1 ring-inset ring-indigo-500/40"
                >
                  <span className="min-w-0 truncate" title={label}>
                    {label}
                  </span>
                  <button
                    type="button"
                    onClick={() => onRemove(i)}
                    aria-label={`Remove filter ${label}`}
                    className="grid h-5 w-5 shrink-0 place-items-center rounded-full text-indigo-200 hover:bg-indigo-500/30 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
                  >
                    <span aria-hidden="true">×</span>
                  </button>
                </li>
              );
            })}
          </ul>
          {filters.length > 1 ? (
            <button
              type="button"
              onClick={onClear}
              className="rounded px-1.5 text-xs font-medium text-gray-400 underline-offset-2 hover:text-gray-200 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
            >
              Clear all
            </button>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
