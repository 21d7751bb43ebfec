"use client";

import { useEffect, useState, type ReactNode } from "react";
import { formatDayLong } from "@/components/format";
import { RefreshIcon } from "@/components/ui/icons";
import { EmptyState, ErrorState } from "@/components/ui/states";
import type { DateRange } from "@/core/analytics/types";
import type { RouterOutputs } from "@/trpc/react";
import { BreakdownPanels } from "./breakdowns/BreakdownPanels";
import { FilterChips } from "./breakdowns/FilterChips";
import { withFilter, withoutFilter } from "./breakdowns/labels";
import type { ReportSource } from "./breakdowns/useBreakdown";
import { ClickAnalytics } from "./ClickAnalytics";
import { DateRangeFilter } from "./DateRangeFilter";
import { ExportBar, ExportsProvider, type Exports } from "./exports";
import type { RangeSelection } from "./dateRange";
import { PageEngagement } from "./PageEngagement";
import { SessionTrends } from "./SessionTrends";
import { SummaryCards } from "./SummaryCards";
import type { useDashboardFilters } from "./useDashboardFilters";

export { REFRESH_INTERVAL_MS } from "./refresh";

export type Report = RouterOutputs["analytics"]["report"];

/** What the report view needs of a report query (analytics.report when signed in, shared.report behind a shared link). */
export interface ReportQuery {
  data: Report | undefined;
  isLoading: boolean;
  isPlaceholderData: boolean;
  isFetching: boolean;
  isError: boolean;
  error: { message: string } | null;
  dataUpdatedAt: number;
  refetch: () => unknown;
}

export function isEmptyReport(data: Report | undefined): boolean {
  return data !== undefined && data.summary.sessions === 0 && data.page_engagement.length === 0 && data.click_through_rates.length === 0;
}

/**
 * A site's dashboard as both the signed-in page and the shared link show it: title, range filter,
 * filter chips, summary cards, trend chart, breakdown panels and tables, all under the same range
 * and filters (the caller's report query takes them too). What differs (the ETL card, what an empty range says,
 * errors that mean "sign in again") comes in through the props.
 */
export function ReportView({
  title,
  subtitle,
  timeZone,
  selection,
  range,
  onSelectionChange,
  report,
  source,
  filters,
  onRefresh,
  hideError = false,
  beforeReport,
  empty,
  zoneInRangeLabel = true,
  readOnly = false,
  exports = null,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  timeZone: string;
  selection: RangeSelection;
  range: DateRange;
  onSelectionChange: (selection: RangeSelection) => void;
  report: ReportQuery;
  /** Where the breakdown panels read from. */
  source: ReportSource;
  /** The page's filters (useDashboardFilters): the report query was made with them. */
  filters: ReturnType<typeof useDashboardFilters>;
  onRefresh: () => void;
  /** An error the page handles itself (an expired session sends the user to sign in). */
  hideError?: boolean;
  beforeReport?: ReactNode;
  /** Shown above the report when the range has no data. */
  empty?: ReactNode;
  /** False where the subtitle names the time zone already. */
  zoneInRangeLabel?: boolean;
  /** The shared link: empty states do not tell the visitor what to send. */
  readOnly?: boolean;
  /** Download links for the range and filters (the signed-in dashboard; exports.tsx). */
  exports?: Exports | null;
}) {
  const data = report.data;
  const loading = report.isLoading;
  const switching = report.isPlaceholderData;

  return (
    <ExportsProvider value={exports}>
      <div className="space-y-5 sm:space-y-6">
        <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0">
            <h1 className="break-words text-xl font-semibold tracking-tight text-gray-50 sm:text-2xl">{title}</h1>
            {subtitle ? <p className="mt-1 text-sm text-gray-400">{subtitle}</p> : null}
            <p className="mt-1 text-sm text-gray-400" data-testid="range-label">
              {formatDayLong(range.from)} – {formatDayLong(range.to)}
              {zoneInRangeLabel ? <span className="text-gray-500"> (days in {timeZone})</span> : null}
            </p>
            <UpdatedAt updatedAt={report.dataUpdatedAt} fetching={report.isFetching} onRefresh={onRefresh} />
            <ExportBar />
          </div>
          <DateRangeFilter
            key={`${range.from}:${range.to}`}
            selection={selection}
            range={range}
            timeZone={timeZone}
            onChange={onSelectionChange}
          />
        </div>

        {beforeReport}

        {report.isError && !hideError ? (
          <ErrorState title="Could not load the analytics" message={report.error?.message} onRetry={() => void report.refetch()} />
        ) : null}

        <FilterChips
          filters={filters.filters}
          invalid={filters.invalid}
          onRemove={(i) => filters.setFilters(withoutFilter(filters.filters, i))}
          onClear={() => filters.setFilters([])}
        />

        {isEmptyReport(data) ? (
          filters.filters.length > 0 ? (
            <EmptyState title="No sessions match these filters in this range">Remove a filter or try a longer date range.</EmptyState>
          ) : (
            empty
          )
        ) : null}

        <div aria-busy={loading || switching} className={`space-y-5 transition-opacity sm:space-y-6 ${switching ? "opacity-60" : ""}`}>
          <SummaryCards summary={data?.summary} loading={loading} />
          <SessionTrends rows={data?.session_metrics} range={range} loading={loading} />
          <BreakdownPanels
            source={source}
            range={range}
            filters={filters.filters}
            triples={filters.triples}
            onSelect={(f) => filters.setFilters(withFilter(filters.filters, f))}
          />
          <div className="grid grid-cols-1 gap-5 xl:grid-cols-2 xl:gap-6">
            <PageEngagement rows={data?.page_engagement} loading={loading} />
            <ClickAnalytics rows={data?.click_through_rates} loading={loading} howTo={!readOnly} />
          </div>
        </div>
      </div>
    </ExportsProvider>
  );
}

function UpdatedAt({ updatedAt, fetching, onRefresh }: { updatedAt: number; fetching: boolean; onRefresh: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(t);
  }, []);
  const seconds = updatedAt ? Math.max(0, Math.round((now - updatedAt) / 1000)) : null;
  return (
    <div className="mt-1.5 flex items-center gap-2 text-xs text-gray-500">
      <span aria-live="polite">
        {fetching
          ? "Refreshing…"
          : seconds === null
            ? "Loading…"
            : seconds < 10
              ? "Updated just now"
              : `Updated ${seconds < 60 ? `${seconds}s` : `${Math.round(seconds / 60)} min`} ago`}
        {" · refreshes every 60 s"}
      </span>
      <button
        type="button"
        onClick={onRefresh}
        aria-label="Refresh now"
        className="rounded p-1 text-gray-500 hover:bg-gray-800 hover:text-gray-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      >
        <RefreshIcon width={14} height={14} className={fetching ? "animate-spin" : undefined} />
      </button>
    </div>
  );
}
