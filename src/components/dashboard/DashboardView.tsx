"use client";

import { keepPreviousData } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect } from "react";
import { formatDayLong } from "@/components/format";
import { CheckIcon } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/states";
import { useOrigin } from "@/components/ui/useOrigin";
import { LiveVisitorsLink } from "@/components/live/LiveVisitorsLink";
import { api, isUnauthorized } from "@/trpc/react";
import { EtlStatusCard } from "./EtlStatusCard";
import { exportsFor } from "./exports";
import { REFRESH_INTERVAL_MS, ReportView } from "./ReportView";
import { useDashboardFilters } from "./useDashboardFilters";
import { useRangeSelection } from "./useRangeSelection";

export { REFRESH_INTERVAL_MS };

/** The signed-in dashboard of a site: the report, the ETL card, and what to do next while there is no data. */
export function DashboardView({ siteId, timeZone, canEdit }: { siteId: string; timeZone: string; canEdit: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const { selection, range, setSelection } = useRangeSelection(timeZone);
  const filters = useDashboardFilters();
  const utils = api.useUtils();

  const report = api.analytics.report.useQuery(
    { siteId, ...range, ...(filters.triples ? { filters: filters.triples } : {}) },
    {
      refetchInterval: REFRESH_INTERVAL_MS,
      placeholderData: keepPreviousData,
    },
  );

  // A session that expired while the page was open: go back to sign-in rather than show an error.
  useEffect(() => {
    if (isUnauthorized(report.error)) router.replace(`/signin?callbackUrl=${encodeURIComponent(`${pathname}?${searchParams.toString()}`)}`);
  }, [report.error, router, pathname, searchParams]);

  return (
    <ReportView
      title="Dashboard"
      subtitle={<LiveVisitorsLink siteId={siteId} />}
      timeZone={timeZone}
      selection={selection}
      range={range}
      onSelectionChange={setSelection}
      report={report}
      source={{ kind: "site", siteId }}
      filters={filters}
      hideError={isUnauthorized(report.error)}
      onRefresh={() => {
        void report.refetch();
        void utils.analytics.breakdown.invalidate();
        void utils.etl.status.invalidate();
      }}
      beforeReport={<EtlStatusCard siteId={siteId} canRun={canEdit} onPassFinished={() => void utils.analytics.invalidate()} />}
      empty={<GettingStarted siteId={siteId} range={range} canEdit={canEdit} />}
      exports={exportsFor(siteId, range, filters.triples)}
    />
  );
}

/** What to do next when the range has no data: create a key, send events, run the ETL. */
function GettingStarted({ siteId, range, canEdit }: { siteId: string; range: { from: string; to: string }; canEdit: boolean }) {
  const keys = api.apiKeys.list.useQuery({ siteId });
  const etl = api.etl.status.useQuery({ siteId });
  const hasKey = (keys.data ?? []).some((k) => k.status === "active");
  const hasRun = Boolean(etl.data?.lastRun);
  const origin = useOrigin();

  if (!canEdit) {
    // A viewer can do none of the steps below; the site's editors send its events.
    return (
      <EmptyState title={`No sessions between ${formatDayLong(range.from)} and ${formatDayLong(range.to)}`}>
        Try a longer date range. New events show up here after the next ETL pass; the site&apos;s editors and admins send them.
      </EmptyState>
    );
  }

  if (hasKey && hasRun) {
    return (
      <EmptyState title={`No sessions between ${formatDayLong(range.from)} and ${formatDayLong(range.to)}`}>
        Try a longer date range. Events sent since the last ETL run appear after the next run; you can run it now above.
      </EmptyState>
    );
  }

  const steps = [
    {
      done: hasKey,
      title: "Create an API key",
      body: (
        <>
          On the{" "}
          <Link href={`/s/${siteId}/keys`} className="font-medium text-indigo-300 underline-offset-2 hover:underline">
            API keys
          </Link>{" "}
          page, create a key with the <em>ingest</em> scope; it comes with a curl line to send a first event.
        </>
      ),
    },
    {
      done: false,
      title: "Send events",
      body: (
        <>
          POST them to <code className="rounded bg-gray-800 px-1 text-gray-200">{origin}/api/events</code> with{" "}
          <code className="rounded bg-gray-800 px-1 text-gray-200">Authorization: Bearer &lt;key&gt;</code>, or run{" "}
          <code className="rounded bg-gray-800 px-1 text-gray-200">npm run simulate</code>.
        </>
      ),
    },
    {
      done: hasRun,
      title: "Run the ETL",
      body: <>It runs on a schedule; use “Run ETL now” above to see your events right away.</>,
    },
  ];

  return (
    <section aria-labelledby="getting-started" className="rounded-xl border border-indigo-900/50 bg-indigo-950/20 p-4 sm:p-6">
      <h2 id="getting-started" className="text-base font-semibold text-gray-100">
        No data yet — three steps to your first numbers
      </h2>
      <ol className="mt-4 grid gap-3 md:grid-cols-3">
        {steps.map((s, i) => (
          <li key={s.title} className="flex gap-3 rounded-lg border border-gray-800 bg-gray-900/60 p-3">
            <span
              aria-hidden="true"
              className={`grid h-6 w-6 shrink-0 place-items-center rounded-full text-xs font-semibold ${
                s.done ? "bg-emerald-500/20 text-emerald-300" : "bg-gray-800 text-gray-300"
              }`}
            >
              {s.done ? <CheckIcon width={14} height={14} /> : i + 1}
            </span>
            <div className="min-w-0 text-sm">
              <p className="font-medium text-gray-100">
                {s.title}
                {s.done ? <span className="sr-only"> (done)</span> : null}
              </p>
              <p className="mt-1 break-words text-gray-400">{s.body}</p>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
