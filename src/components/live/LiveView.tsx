"use client";

import { BarChart, Card } from "@tremor/react";
import type { LiveEntry } from "@/core/live/entry";
import type { LiveCount } from "@/core/live/reader";
import { valueLabel } from "@/components/dashboard/breakdowns/labels";
import { formatInteger } from "@/components/format";
import { Skeleton } from "@/components/ui/states";
import { useLiveStream, type LiveStatus } from "./useLiveStream";

const STATUS: Record<LiveStatus, { text: string; dot: string }> = {
  live: { text: "Live", dot: "bg-emerald-400" },
  connecting: { text: "Connecting…", dot: "bg-gray-500" },
  reconnecting: { text: "Reconnecting…", dot: "bg-amber-400" },
};

export function LiveStatusPill({ status }: { status: LiveStatus }) {
  const { text, dot } = STATUS[status];
  return (
    <span
      role="status"
      data-testid="live-status"
      data-status={status}
      className="inline-flex items-center gap-2 rounded-full border border-gray-800 bg-gray-900 px-2.5 py-1 text-xs font-medium text-gray-200"
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dot} ${status === "live" ? "animate-pulse" : ""}`} />
      {text}
    </span>
  );
}

const EVENT_NAMES: Record<string, string> = {
  page_visited: "Page view",
  button_clicked: "Click",
  page_closed: "Left page",
  session_created: "New session",
  session_ended: "Session ended",
};

/** The live view of a site (docs/live.md): pushed by GET /api/live, no polling. */
export function LiveView({ siteId, timeZone }: { siteId: string; timeZone: string }) {
  const { status, snapshot, feed } = useLiveStream(siteId);
  const minute = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" });
  const chart = (snapshot?.pageViews ?? []).map((m) => ({ minute: minute.format(new Date(m.minute)), "Page views": m.pageViews }));
  const pageViews = (snapshot?.pageViews ?? []).reduce((sum, m) => sum + m.pageViews, 0);

  return (
    <div className="space-y-5 sm:space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-gray-50 sm:text-2xl">Live</h1>
          <p className="mt-1 text-sm text-gray-400">Visitors in the last 5 minutes and page views in the last 30, as they happen.</p>
        </div>
        <LiveStatusPill status={status} />
      </div>

      <div className="grid grid-cols-2 gap-3 sm:gap-5">
        <Figure label="Visitors now" hint="active in the last 5 minutes" value={snapshot?.visitors} testId="live-visitors" />
        <Figure label="Page views" hint="in the last 30 minutes" value={snapshot ? pageViews : undefined} testId="live-pageviews" />
      </div>

      <Card className="p-4 sm:p-5">
        <h2 className="text-base font-semibold text-gray-100">Page views per minute</h2>
        {snapshot ? (
          <BarChart
            className="mt-3 h-48 sm:h-56"
            data={chart}
            index="minute"
            categories={["Page views"]}
            colors={["indigo"]}
            valueFormatter={formatInteger}
            allowDecimals={false}
            showLegend={false}
            yAxisWidth={40}
          />
        ) : (
          <Skeleton className="mt-3 h-48 w-full sm:h-56" />
        )}
      </Card>

      <div className="grid grid-cols-1 gap-5 md:grid-cols-3">
        <TopList title="Pages" column="On page" dimension="page" rows={snapshot?.pages} testId="live-pages" mono />
        <TopList title="Sources" column="Source" dimension="referrer" rows={snapshot?.sources} testId="live-sources" />
        <TopList title="Countries" column="Country" dimension="country" rows={snapshot?.countries} testId="live-countries" />
      </div>

      <Card className="p-4 sm:p-5">
        <h2 className="text-base font-semibold text-gray-100">Latest events</h2>
        {feed.length === 0 ? (
          <p className="mt-3 rounded-lg border border-dashed border-gray-800 px-4 py-8 text-center text-sm text-gray-400">
            {status === "live" ? "Waiting for events: they appear here as they arrive." : "Connecting to the live stream…"}
          </p>
        ) : (
          <ol aria-label="Latest events" data-testid="live-feed" className="mt-3 divide-y divide-gray-800/70">
            {feed.map((item) => (
              <FeedRow key={item.id} entry={item.entry} timeZone={timeZone} />
            ))}
          </ol>
        )}
      </Card>
    </div>
  );
}

function Figure({ label, hint, value, testId }: { label: string; hint: string; value: number | undefined; testId: string }) {
  return (
    <Card className="p-4 sm:p-5">
      <p className="text-sm text-gray-400">{label}</p>
      {value === undefined ? (
        <Skeleton className="mt-2 h-8 w-20" />
      ) : (
        <p data-testid={testId} className="mt-1 text-2xl font-semibold tabular-nums text-gray-50 sm:text-3xl">
          {formatInteger(value)}
        </p>
      )}
      <p className="mt-1 text-xs text-gray-500">{hint}</p>
    </Card>
  );
}

function TopList({
  title,
  column,
  dimension,
  rows,
  testId,
  mono = false,
}: {
  title: string;
  column: string;
  dimension: string;
  rows: LiveCount[] | undefined;
  testId: string;
  mono?: boolean;
}) {
  const max = Math.max(1, ...(rows ?? []).map((r) => r.visitors));
  return (
    <Card className="flex min-w-0 flex-col p-4 sm:p-5">
      <h2 className="text-base font-semibold text-gray-100">{title}</h2>
      <div
        className="mt-2 flex items-center justify-between px-2 pb-1.5 text-xs font-medium uppercase tracking-wide text-gray-400"
        aria-hidden="true"
      >
        <span>{column}</span>
        <span>Visitors</span>
      </div>
      {!rows ? (
        <Skeleton className="h-24 w-full" />
      ) : rows.length === 0 ? (
        <p className="flex flex-1 items-center justify-center rounded-lg border border-dashed border-gray-800 px-4 py-6 text-sm text-gray-400">
          Nobody right now
        </p>
      ) : (
        <ul aria-label={title} data-testid={testId} className="space-y-1">
          {rows.map((r) => {
            const label = valueLabel(dimension, r.value);
            return (
              <li key={r.value} className="relative flex items-center gap-3 overflow-hidden rounded-md px-2 py-1.5 text-sm">
                <span
                  aria-hidden="true"
                  className="absolute inset-y-0 left-0 rounded-md bg-indigo-500/15"
                  style={{ width: `${(r.visitors / max) * 100}%` }}
                />
                <span
                  className={`relative min-w-0 flex-1 truncate ${label.unknown ? "italic text-gray-500" : "text-gray-100"} ${mono ? "font-mono text-xs" : ""}`}
                >
                  {label.flag ? (
                    <span aria-hidden="true" className="mr-1.5 not-italic">
                      {label.flag}
                    </span>
                  ) : null}
                  <span data-testid="live-value">{label.text}</span>
                </span>
                <span data-testid="live-count" className="relative font-medium tabular-nums text-gray-100">
                  {formatInteger(r.visitors)}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}

function FeedRow({ entry, timeZone }: { entry: LiveEntry; timeZone: string }) {
  const time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(
    new Date(entry.event_time),
  );
  const country = entry.country ? valueLabel("country", entry.country) : null;
  const where = [entry.browser, entry.device].filter(Boolean).join(" · ");
  return (
    <li data-testid="live-event" data-event-id={entry.event_id} className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 py-2 text-sm">
      <time dateTime={entry.event_time} className="w-16 shrink-0 tabular-nums text-gray-500">
        {time}
      </time>
      <span className="font-medium text-gray-100">{EVENT_NAMES[entry.event_type] ?? entry.event_type}</span>
      {entry.page ? <span className="min-w-0 max-w-full truncate font-mono text-xs text-gray-300">{entry.page}</span> : null}
      {entry.button ? <span className="min-w-0 truncate text-gray-300">“{entry.button}”</span> : null}
      <span className="ml-auto flex min-w-0 items-baseline gap-2 text-xs text-gray-500">
        {entry.source ? <span className="truncate">from {entry.source}</span> : null}
        {country ? (
          <span className="truncate">
            {country.flag ? <span aria-hidden="true">{country.flag} </span> : null}
            {country.text}
          </span>
        ) : null}
        {where ? <span className="truncate">{where}</span> : null}
      </span>
    </li>
  );
}
