import type { AnalyticsReport, BreakdownReport } from "../analytics/types";
import { DIMENSIONS, dimensionNamed } from "../dimensions/registry";
import { csvOf, type CsvValue } from "./csv";

/**
 * The dashboard's panels as CSV (docs/exports.md): one definition of each panel's columns, used
 * by GET /api/export/panel, the "Export all" zip and the tests. The figures are the API's own
 * (GET /api/analytics and /api/analytics/breakdown for the same range and filters), unrounded.
 */

/** Panels of the analytics report; every dimension's breakdown is a panel too ("breakdown:<dimension>"). */
export const REPORT_PANELS = ["summary", "daily", "pages", "clicks"] as const;
export type ReportPanel = (typeof REPORT_PANELS)[number];
export type PanelId = ReportPanel | `breakdown:${string}`;

export function isPanelId(value: string): value is PanelId {
  if ((REPORT_PANELS as readonly string[]).includes(value)) return true;
  return value.startsWith("breakdown:") && dimensionNamed(value.slice("breakdown:".length)) !== undefined;
}

/** Every panel "Export all" puts in its zip. */
export const ALL_PANELS: readonly PanelId[] = [...REPORT_PANELS, ...DIMENSIONS.map((d) => `breakdown:${d.name}` as const)];

export function reportPanelCsv(panel: ReportPanel, report: AnalyticsReport): string {
  switch (panel) {
    case "summary": {
      const s = report.summary;
      return csvOf(
        ["from", "to", "sessions", "users", "page_views", "avg_duration_seconds"],
        [[report.range.from, report.range.to, s.sessions, s.users, s.page_views, s.avg_duration_seconds]],
      );
    }
    case "daily":
      return csvOf(
        ["date", "sessions", "users", "page_views", "avg_page_views", "avg_duration_seconds", "bounce_rate"],
        report.session_metrics.map((r) => [
          r.date,
          r.total_sessions,
          r.unique_users,
          r.total_page_views,
          r.avg_page_views,
          r.avg_duration_seconds,
          r.bounce_rate,
        ]),
      );
    case "pages":
      return csvOf(
        ["page_path", "visits", "users", "total_time_spent_seconds", "avg_time_spent_seconds"],
        report.page_engagement.map((r) => [
          r.page_path,
          r.total_visits,
          r.unique_users,
          r.total_time_spent_seconds,
          r.avg_time_spent_seconds,
        ]),
      );
    case "clicks":
      return csvOf(
        ["page_path", "button_id", "clicks", "views", "ctr"],
        report.click_through_rates.map((r) => [r.page_path, r.button_id, r.clicks, r.views, r.ctr]),
      );
  }
}

export function breakdownCsv(report: BreakdownReport): string {
  const withEvents = report.dimension === "event";
  const header = [
    report.dimension,
    "sessions",
    "users",
    "page_views",
    "bounce_rate",
    "avg_duration_seconds",
    ...(withEvents ? ["events"] : []),
  ];
  const rows = report.rows.map((r): CsvValue[] => [
    r.value,
    r.sessions,
    r.users,
    r.page_views,
    r.bounce_rate,
    r.avg_duration_seconds,
    ...(withEvents ? [r.events] : []),
  ]);
  return csvOf(header, rows);
}

/** A file name for a panel's CSV: pulse-<site>-<panel>-<from>-<to>.csv. */
export function panelFileName(siteName: string, panel: PanelId, from: string, to: string): string {
  const safe = (s: string) => s.replace(/[^a-zA-Z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "site";
  return `pulse-${safe(siteName)}-${panel.replace(":", "-")}-${from}-${to}.csv`;
}
