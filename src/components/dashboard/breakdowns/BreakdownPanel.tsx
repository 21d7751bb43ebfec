"use client";

import { Card } from "@tremor/react";
import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { DateRange } from "@/core/analytics/types";
import type { Filter } from "@/core/dimensions/filters";
import type { Dimension, DimensionName, PanelName } from "@/core/dimensions/registry";
import { formatInteger } from "@/components/format";
import { ErrorState, Skeleton } from "@/components/ui/states";
import type { FilterTriple } from "../useDashboardFilters";
import { PanelExportLink } from "../exports";
import { valueLabel } from "./labels";
import { useBreakdown, type Breakdown, type ReportSource } from "./useBreakdown";

/** Dimensions whose values are page paths: set in the tables' monospace (PageEngagement.tsx). */
const PAGE_VALUES = new Set<Dimension["from"]>(["page_path", "entry_page", "exit_page"]);

export interface PanelProps {
  name: PanelName;
  title: string;
  dimensions: readonly Dimension[];
  source: ReportSource;
  range: DateRange;
  filters: readonly Filter[];
  triples: FilterTriple[] | undefined;
  onSelect: (filter: Filter) => void;
  /** Below the rows (the Locations panel's database attribution). */
  footer?: ReactNode;
  /** Spans both columns of the panels' grid (BreakdownPanels.tsx). */
  wide?: boolean;
}

/**
 * One breakdown panel (Sources, Pages, …): a tab per dimension of the registry's panel, and the
 * active tab's rows from analytics.breakdown under the page's range and filters. A row is a
 * button: it adds `[dimension, "is", value]` to the filters.
 */
export function BreakdownPanel({ name, title, dimensions, source, range, filters, triples, onSelect, footer, wide = false }: PanelProps) {
  const [active, setActive] = useState(0);
  const dimension = dimensions[active]!;
  const query = useBreakdown(source, dimension.name as DimensionName, range, triples);
  const id = useId();
  const titleId = `${id}-title`;
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  function onTabKey(e: KeyboardEvent<HTMLDivElement>) {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const next = (active + step + dimensions.length) % dimensions.length;
    setActive(next);
    tabRefs.current[next]?.focus();
  }

  return (
    <Card className={`flex min-w-0 flex-col p-4 sm:p-5 ${wide ? "lg:col-span-2" : ""}`}>
      <section aria-labelledby={titleId} data-testid={`panel-${name}`} className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-baseline justify-between gap-2">
          <h2 id={titleId} className="text-base font-semibold text-gray-100">
            {title}
          </h2>
          <PanelExportLink panel={`breakdown:${dimension.name}`} label={dimension.tab.toLowerCase()} />
        </div>
        {dimensions.length > 1 ? (
          <div
            role="tablist"
            aria-label={`${title} by`}
            onKeyDown={onTabKey}
            // Scrolls sideways on a phone rather than widening the page.
            className="-mx-1 mt-2 flex gap-0.5 overflow-x-auto px-1 pb-1 [scrollbar-width:thin]"
          >
            {dimensions.map((d, i) => (
              <button
                key={d.name}
                ref={(el) => {
                  tabRefs.current[i] = el;
                }}
                type="button"
                role="tab"
                id={`${id}-tab-${d.name}`}
                aria-selected={i === active}
                aria-controls={`${id}-tabpanel`}
                tabIndex={i === active ? 0 : -1}
                onClick={() => setActive(i)}
                className={`shrink-0 whitespace-nowrap rounded-md px-2 py-1 text-xs font-medium transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 sm:text-sm ${
                  i === active ? "bg-indigo-500/20 text-indigo-200" : "text-gray-400 hover:bg-gray-800/60 hover:text-gray-100"
                }`}
              >
                {d.tab}
              </button>
            ))}
          </div>
        ) : null}
        <div
          id={`${id}-tabpanel`}
          {...(dimensions.length > 1 ? { role: "tabpanel", "aria-labelledby": `${id}-tab-${dimension.name}` } : {})}
          aria-busy={query.isLoading || query.isPlaceholderData}
          className={`mt-3 flex flex-1 flex-col transition-opacity ${query.isPlaceholderData ? "opacity-60" : ""}`}
        >
          <Rows dimension={dimension} query={query} filters={filters} onSelect={onSelect} />
        </div>
        {footer ? <div className="mt-3 text-xs text-gray-500">{footer}</div> : null}
      </section>
    </Card>
  );
}

function Rows({
  dimension,
  query,
  filters,
  onSelect,
}: {
  dimension: Dimension;
  query: { data: Breakdown | undefined; isLoading: boolean; isError: boolean; error: { message: string } | null; refetch: () => unknown };
  filters: readonly Filter[];
  onSelect: (filter: Filter) => void;
}) {
  const isEvent = dimension.level === "event";
  const count = isEvent ? "Events" : "Sessions";

  if (query.isError)
    return (
      <ErrorState
        title={`Could not load the ${dimension.tab.toLowerCase()}`}
        message={query.error?.message}
        onRetry={() => void query.refetch()}
      />
    );
  if (query.isLoading || !query.data)
    return (
      <div className="space-y-2" aria-hidden="true">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-8 w-full" />
        ))}
      </div>
    );

  const rows = query.data.rows;
  if (rows.length === 0)
    return (
      <p className="flex flex-1 items-center justify-center rounded-lg border border-dashed border-gray-800 px-4 py-8 text-sm text-gray-400">
        No data for this range
      </p>
    );

  const primary = (r: Breakdown["rows"][number]) => (isEvent ? (r.events ?? 0) : r.sessions);
  const max = Math.max(1, ...rows.map(primary));
  const chosen = new Set(filters.filter((f) => f.dimension === dimension.name && f.operator === "is").map((f) => f.value));

  return (
    <>
      <div className="flex items-center gap-3 px-2 pb-1.5 text-xs font-medium uppercase tracking-wide text-gray-400" aria-hidden="true">
        <span className="min-w-0 flex-1 truncate">{dimension.label}</span>
        <span className="w-14 text-right">Users</span>
        <span className="w-16 text-right">{count}</span>
      </div>
      <ul aria-label={dimension.tab} className="space-y-1">
        {rows.map((r) => {
          const label = valueLabel(dimension.name, r.value);
          const selected = chosen.has(r.value);
          const share = (primary(r) / max) * 100;
          return (
            <li key={r.value}>
              <button
                type="button"
                aria-pressed={selected}
                title={`Show only ${dimension.label} is ${label.text}${label.text === r.value ? "" : ` (${r.value})`}`}
                onClick={() => onSelect({ dimension: dimension.name as DimensionName, operator: "is", value: r.value })}
                className={`group relative flex w-full items-center gap-3 overflow-hidden rounded-md px-2 py-1.5 text-left text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
                  selected ? "ring-1 ring-inset ring-indigo-500/60" : "hover:bg-gray-800/50"
                }`}
              >
                <span
                  aria-hidden="true"
                  className="absolute inset-y-0 left-0 rounded-md bg-indigo-500/15 transition-[width] group-hover:bg-indigo-500/25"
                  style={{ width: `${share}%` }}
                />
                <span
                  className={`relative min-w-0 flex-1 truncate ${label.unknown ? "italic text-gray-500" : "text-gray-100"} ${
                    PAGE_VALUES.has(dimension.from) ? "font-mono text-xs" : ""
                  }`}
                >
                  {label.flag ? (
                    <span aria-hidden="true" className="mr-1.5 not-italic">
                      {label.flag}
                    </span>
                  ) : null}
                  {label.text}
                </span>
                <span className="relative w-14 text-right tabular-nums text-gray-300">
                  {formatInteger(r.users)}
                  <span className="sr-only"> users</span>
                </span>
                <span className="relative w-16 text-right font-medium tabular-nums text-gray-100">
                  {formatInteger(primary(r))}
                  <span className="sr-only"> {count.toLowerCase()}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </>
  );
}
