"use client";

import { keepPreviousData } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { formatDayLong } from "@/components/format";
import { CheckIcon, RefreshIcon } from "@/components/ui/icons";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { useOrigin } from "@/components/ui/useOrigin";
import { api, isUnauthorized } from "@/trpc/react";
import { ClickAnalytics } from "./ClickAnalytics";
import { DateRangeFilter } from "./DateRangeFilter";
import { EtlStatusCard } from "./EtlStatusCard";
import { PageEngagement } from "./PageEngagement";
import { selectionFromParams, selectionToParams, selectionToRange, type RangeSelection } from "./dateRange";
import { SessionTrends } from "./SessionTrends";
import { SummaryCards } from "./SummaryCards";

export const REFRESH_INTERVAL_MS = 60_000;

export function DashboardView({ siteId }: { siteId: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const selection = useMemo(() => selectionFromParams(new URLSearchParams(searchParams.toString())), [searchParams]);
  const range = useMemo(() => selectionToRange(selection), [selection]);
  const utils = api.useUtils();

  const report = api.analytics.report.useQuery(
    { siteId, ...range },
    {
      refetchInterval: REFRESH_INTERVAL_MS,
      placeholderData: keepPreviousData,
    },
  );

  // A session that expired while the page was open: go back to sign-in rather than show an error.
  useEffect(() => {
    if (isUnauthorized(report.error)) router.replace(`/signin?callbackUrl=${encodeURIComponent(`${pathname}?${searchParams.toString()}`)}`);
  }, [report.error, router, pathname, searchParams]);

  const setSelection = useCallback(
    (next: RangeSelection) => {
      const qs = selectionToParams(next).toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [router, pathname],
  );

  const data = report.data;
  const loading = report.isLoading;
  const switching = report.isPlaceholderData;
  const empty =
    data !== undefined && data.summary.sessions === 0 && data.page_engagement.length === 0 && data.click_through_rates.length === 0;

  return (
    <div className="space-y-5 sm:space-y-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-gray-50 sm:text-2xl">Dashboard</h1>
          <p className="mt-1 text-sm text-gray-400" data-testid="range-label">
            {formatDayLong(range.from)} – {formatDayLong(range.to)} <span className="text-gray-600">(UTC)</span>
          </p>
          <UpdatedAt
            updatedAt={report.dataUpdatedAt}
            fetching={report.isFetching}
            onRefresh={() => {
              void report.refetch();
              void utils.etl.status.invalidate();
            }}
          />
        </div>
        <DateRangeFilter key={`${range.from}:${range.to}`} selection={selection} range={range} onChange={setSelection} />
      </div>

      <EtlStatusCard siteId={siteId} onPassFinished={() => void utils.analytics.report.invalidate()} />

      {report.isError && !isUnauthorized(report.error) ? (
        <ErrorState title="Could not load the analytics" message={report.error.message} onRetry={() => void report.refetch()} />
      ) : null}

      {empty ? <GettingStarted siteId={siteId} range={range} /> : null}

      <div aria-busy={loading || switching} className={`space-y-5 transition-opacity sm:space-y-6 ${switching ? "opacity-60" : ""}`}>
        <SummaryCards summary={data?.summary} loading={loading} />
        <SessionTrends rows={data?.session_metrics} range={range} loading={loading} />
        <div className="grid grid-cols-1 gap-5 xl:grid-cols-2 xl:gap-6">
          <PageEngagement rows={data?.page_engagement} loading={loading} />
          <ClickAnalytics rows={data?.click_through_rates} loading={loading} />
        </div>
      </div>
    </div>
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

/** What to do next when the range has no data: create a key, send events, run the ETL. */
function GettingStarted({ siteId, range }: { siteId: string; range: { from: string; to: string } }) {
  const keys = api.apiKeys.list.useQuery({ siteId });
  const etl = api.etl.status.useQuery({ siteId });
  const hasKey = (keys.data ?? []).some((k) => k.status === "active");
  const hasRun = Boolean(etl.data?.lastRun);
  const origin = useOrigin();

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
          page, create a key with the <em>ingest</em> scope.
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
