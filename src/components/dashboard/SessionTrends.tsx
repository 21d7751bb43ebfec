"use client";

import { Card, LineChart } from "@tremor/react";
import type { DateRange, SessionMetricsRow } from "@/core/analytics/types";
import { formatDay, formatInteger } from "@/components/format";
import { Skeleton } from "@/components/ui/states";
import { datesInRange } from "./dateRange";
import { PanelExportLink } from "./exports";

export function SessionTrends({ rows, range, loading }: { rows?: SessionMetricsRow[]; range: DateRange; loading: boolean }) {
  const byDate = new Map((rows ?? []).map((r) => [r.date, r]));
  // Days without sessions have no row; show them as 0 so the line does not skip days.
  const data = datesInRange(range).map((date) => {
    const row = byDate.get(date);
    return { date: formatDay(date), Sessions: row?.total_sessions ?? 0, Users: row?.unique_users ?? 0 };
  });
  const totalSessions = (rows ?? []).reduce((n, r) => n + r.total_sessions, 0);
  return (
    <Card className="p-4 sm:p-6">
      <figure aria-labelledby="trends-title" aria-describedby="trends-desc" className="m-0">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="trends-title" className="text-base font-semibold text-gray-100">
            Session trends
          </h2>
          <div className="flex items-center gap-2">
            <p className="text-xs text-gray-400">Sessions and users per day</p>
            <PanelExportLink panel="daily" label="sessions per day" />
          </div>
        </div>
        <p id="trends-desc" className="sr-only">
          Line chart of sessions and users per day from {range.from} to {range.to}; {formatInteger(totalSessions)} sessions in total.
        </p>
        {loading ? (
          <Skeleton className="mt-6 h-64 w-full" />
        ) : (
          <LineChart
            className="mt-4 h-64 sm:h-72"
            data={data}
            index="date"
            categories={["Sessions", "Users"]}
            colors={["indigo", "emerald"]}
            valueFormatter={formatInteger}
            yAxisWidth={44}
            allowDecimals={false}
            showAnimation={false}
            curveType="monotone"
            intervalType="preserveStartEnd"
            connectNulls
            noDataText="No sessions in this range"
          />
        )}
      </figure>
    </Card>
  );
}
