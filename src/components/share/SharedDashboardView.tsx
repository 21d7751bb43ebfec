"use client";

import { keepPreviousData } from "@tanstack/react-query";
import { REFRESH_INTERVAL_MS, ReportView } from "@/components/dashboard/ReportView";
import { useDashboardFilters } from "@/components/dashboard/useDashboardFilters";
import { useRangeSelection } from "@/components/dashboard/useRangeSelection";
import { formatDayLong } from "@/components/format";
import { PulseIcon } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/states";
import { api } from "@/trpc/react";

/**
 * A site's dashboard behind its shared link: the same report as the signed-in page (ReportView),
 * read through shared.report and shared.breakdown with the link's token, filters in the URL as there; no ETL card, no navigation, no account.
 */
export function SharedDashboardView({ token, name, timeZone }: { token: string; name: string; timeZone: string }) {
  const { selection, range, setSelection } = useRangeSelection(timeZone);
  const filters = useDashboardFilters();
  const utils = api.useUtils();
  const report = api.shared.report.useQuery(
    { token, ...range, ...(filters.triples ? { filters: filters.triples } : {}) },
    { refetchInterval: REFRESH_INTERVAL_MS, placeholderData: keepPreviousData },
  );

  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-gray-800/80 bg-gray-950/85">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-3 px-3 sm:px-6">
          <span className="flex items-center gap-2 font-semibold tracking-tight text-gray-50">
            <span className="grid h-7 w-7 place-items-center rounded-md bg-indigo-500/15 text-indigo-400 ring-1 ring-inset ring-indigo-500/30">
              <PulseIcon width={16} height={16} />
            </span>
            Pulse
          </span>
          <span className="ml-auto rounded-full bg-gray-800 px-2.5 py-0.5 text-xs font-medium text-gray-300 ring-1 ring-inset ring-gray-700">
            Read-only
          </span>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-3 py-5 sm:px-6 sm:py-8">
        <ReportView
          title={name}
          subtitle={<>Shared read-only dashboard · dates in {timeZone}</>}
          timeZone={timeZone}
          zoneInRangeLabel={false}
          readOnly
          selection={selection}
          range={range}
          onSelectionChange={setSelection}
          report={report}
          source={{ kind: "shared", token }}
          filters={filters}
          onRefresh={() => {
            void report.refetch();
            void utils.shared.breakdown.invalidate();
          }}
          empty={
            <EmptyState title={`No sessions between ${formatDayLong(range.from)} and ${formatDayLong(range.to)}`}>
              Try a longer date range.
            </EmptyState>
          }
        />
      </main>
      <footer className="mx-auto w-full max-w-7xl px-3 pb-6 text-xs text-gray-500 sm:px-6">
        Pulse Analytics · dates are days in {timeZone}
      </footer>
    </div>
  );
}
