import { Card, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@tremor/react";
import type { ClickThroughRow } from "@/core/analytics/types";
import { formatInteger, formatPercent } from "@/components/format";
import { EmptyState, Skeleton } from "@/components/ui/states";
import { PanelExportLink } from "./exports";

const TABLE_ROWS = 25;

const th = "px-2 py-2 text-xs font-medium uppercase tracking-wide text-gray-400 dark:text-gray-400";
const td = "px-2 py-2 tabular-nums";

/** `howTo`: the empty state tells the site's owner what to send (not a visitor of the shared link). */
export function ClickAnalytics({ rows, loading, howTo = true }: { rows?: ClickThroughRow[]; loading: boolean; howTo?: boolean }) {
  const maxCtr = Math.max(1, ...(rows ?? []).map((r) => r.ctr ?? 0));
  return (
    <Card className="flex flex-col p-4 sm:p-6">
      <section aria-labelledby="clicks-title">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="clicks-title" className="text-base font-semibold text-gray-100">
            Click analytics
          </h2>
          <div className="flex items-center gap-2">
            <p className="text-xs text-gray-400">Top buttons by click-through rate</p>
            <PanelExportLink panel="clicks" label="click analytics" />
          </div>
        </div>
        {loading ? (
          <div className="mt-4 space-y-2">
            {Array.from({ length: 6 }, (_, i) => (
              <Skeleton key={i} className="h-8 w-full" />
            ))}
          </div>
        ) : !rows || rows.length === 0 ? (
          <div className="mt-4">
            <EmptyState title="No button clicks in this range">
              {howTo ? (
                <>
                  Send <code className="text-gray-300">button_clicked</code> events with a <code className="text-gray-300">button_id</code>{" "}
                  and a <code className="text-gray-300">page_path</code> to see which buttons people use.
                </>
              ) : null}
            </EmptyState>
          </div>
        ) : (
          <>
            <Table className="mt-4" aria-label="Click analytics">
              <TableHead>
                <TableRow>
                  <TableHeaderCell className={`${th} pl-0`}>Button · page</TableHeaderCell>
                  <TableHeaderCell className={`${th} text-right`}>Clicks</TableHeaderCell>
                  <TableHeaderCell className={`${th} hidden text-right sm:table-cell`}>Views</TableHeaderCell>
                  <TableHeaderCell className={`${th} pr-0 text-right`}>CTR</TableHeaderCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.slice(0, TABLE_ROWS).map((r) => (
                  <TableRow key={`${r.page_path}\u0000${r.button_id}`}>
                    <TableCell className="max-w-[12rem] py-2 pl-0 pr-2 sm:max-w-[18rem]">
                      <span className="block truncate font-mono text-xs text-gray-200" title={r.button_id}>
                        {r.button_id}
                      </span>
                      <span className="block truncate font-mono text-xs text-gray-500" title={r.page_path}>
                        {r.page_path === "" ? "(no page)" : r.page_path}
                      </span>
                    </TableCell>
                    <TableCell className={`${td} text-right text-gray-100`}>{formatInteger(r.clicks)}</TableCell>
                    <TableCell className={`${td} hidden text-right sm:table-cell`}>{formatInteger(r.views)}</TableCell>
                    <TableCell className={`${td} pr-0 text-right`}>
                      <div className="flex items-center justify-end gap-2">
                        <span className="hidden h-1.5 w-14 overflow-hidden rounded-full bg-gray-800 sm:block" aria-hidden="true">
                          <span
                            className="block h-full rounded-full bg-emerald-500"
                            style={{ width: `${Math.min(100, ((r.ctr ?? 0) / maxCtr) * 100)}%` }}
                          />
                        </span>
                        <span className="tabular-nums text-gray-100">{formatPercent(r.ctr)}</span>
                      </div>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {rows.length > TABLE_ROWS ? (
              <p className="mt-2 text-xs text-gray-500">
                Showing the top {TABLE_ROWS} of {formatInteger(rows.length)} buttons.
              </p>
            ) : null}
          </>
        )}
      </section>
    </Card>
  );
}
