"use client";

import { BarChart, Card, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow, type CustomTooltipProps } from "@tremor/react";
import type { PageEngagementRow } from "@/core/analytics/types";
import { formatDuration, formatInteger } from "@/components/format";
import { EmptyState, Skeleton } from "@/components/ui/states";
import { PanelExportLink } from "./exports";

const CHART_PAGES = 8;
const TABLE_PAGES = 25;

/** Long paths are shortened for the chart axis only; the table shows them in full. */
function shortPath(path: string): string {
  const p = path === "" ? "(no page)" : path;
  return p.length > 20 ? `${p.slice(0, 19)}…` : p;
}

const th = "px-2 py-2 text-xs font-medium uppercase tracking-wide text-gray-400 dark:text-gray-400";
const td = "px-2 py-2 tabular-nums";

/** The chart's tooltip: the full page path (the axis shows it shortened), as text. */
function PageTooltip({ active, payload }: CustomTooltipProps) {
  const row = payload?.[0]?.payload as { path: string; Visits: number } | undefined;
  if (!active || !row) return null;
  return (
    <div role="tooltip" className="max-w-xs rounded-md border border-gray-700 bg-gray-900 px-3 py-2 text-xs shadow-lg">
      <p className="break-all font-mono text-gray-100">{row.path === "" ? "(no page)" : row.path}</p>
      <p className="mt-1 text-gray-400">
        <span className="font-semibold tabular-nums text-gray-100">{formatInteger(row.Visits)}</span> visits
      </p>
    </div>
  );
}

export function PageEngagement({ rows, loading }: { rows?: PageEngagementRow[]; loading: boolean }) {
  const top = (rows ?? []).slice(0, CHART_PAGES).map((r) => ({ page: shortPath(r.page_path), path: r.page_path, Visits: r.total_visits }));
  return (
    <Card className="flex flex-col p-4 sm:p-6">
      <section aria-labelledby="pages-title">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="pages-title" className="text-base font-semibold text-gray-100">
            Page engagement
          </h2>
          <div className="flex items-center gap-2">
            <p className="text-xs text-gray-400">Top pages by visits</p>
            <PanelExportLink panel="pages" label="page engagement" />
          </div>
        </div>
        {loading ? (
          <div className="mt-4 space-y-3">
            <Skeleton className="h-48 w-full" />
            <Skeleton className="h-24 w-full" />
          </div>
        ) : !rows || rows.length === 0 ? (
          <div className="mt-4">
            <EmptyState title="No page visits in this range">
              Pages appear here once <code className="text-gray-300">page_visited</code> events have been processed by the ETL.
            </EmptyState>
          </div>
        ) : (
          <>
            <figure className="m-0" aria-label={`Bar chart of visits for the top ${top.length} pages`}>
              <BarChart
                className="mt-4"
                style={{ height: `${Math.max(160, top.length * 34 + 40)}px` }}
                data={top}
                index="page"
                categories={["Visits"]}
                colors={["indigo"]}
                layout="vertical"
                valueFormatter={formatInteger}
                yAxisWidth={140}
                showLegend={false}
                allowDecimals={false}
                showAnimation={false}
                customTooltip={PageTooltip}
              />
            </figure>
            <Table className="mt-4" aria-label="Page engagement">
              <TableHead>
                <TableRow>
                  <TableHeaderCell className={`${th} pl-0`}>Page</TableHeaderCell>
                  <TableHeaderCell className={`${th} text-right`}>Visits</TableHeaderCell>
                  <TableHeaderCell className={`${th} hidden text-right sm:table-cell`}>Users</TableHeaderCell>
                  <TableHeaderCell className={`${th} pr-0 text-right`}>Avg. time</TableHeaderCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.slice(0, TABLE_PAGES).map((r) => (
                  <TableRow key={r.page_path}>
                    <TableCell
                      className="max-w-[11rem] truncate py-2 pl-0 pr-2 font-mono text-xs text-gray-200 sm:max-w-[16rem]"
                      title={r.page_path}
                    >
                      {r.page_path === "" ? <span className="text-gray-500">(no page)</span> : r.page_path}
                    </TableCell>
                    <TableCell className={`${td} text-right text-gray-100`}>{formatInteger(r.total_visits)}</TableCell>
                    <TableCell className={`${td} hidden text-right sm:table-cell`}>{formatInteger(r.unique_users)}</TableCell>
                    <TableCell className={`${td} pr-0 text-right`}>{formatDuration(r.avg_time_spent_seconds)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {rows.length > TABLE_PAGES ? (
              <p className="mt-2 text-xs text-gray-500">
                Showing the top {TABLE_PAGES} of {formatInteger(rows.length)} pages.
              </p>
            ) : null}
          </>
        )}
      </section>
    </Card>
  );
}
