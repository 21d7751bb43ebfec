import type { DateRange, Summary } from "../analytics/types";
import { getAnalyticsReport, getBreakdown } from "../db/analytics";
import { dimensionNamed } from "../dimensions/registry";

/** What a report says (docs/reports.md), from the same queries as the dashboard and the API. */
export interface ReportContent {
  siteName: string;
  period: DateRange;
  previous: DateRange;
  summary: Summary;
  previousSummary: Summary;
  /** % change of each figure against the previous period; null when that was 0. */
  changes: Record<keyof Summary, number | null>;
  topPages: Array<{ page: string; visits: number }>;
  topSources: Array<{ channel: string; sessions: number }>;
}

const TOP = 5;
const KEYS = ["sessions", "users", "page_views", "avg_duration_seconds"] as const;

export function percentChange(now: number, before: number): number | null {
  if (before === 0) return null;
  return Math.round(((now - before) / before) * 1000) / 10;
}

export async function reportContent(site: { id: string; name: string }, period: DateRange, previous: DateRange): Promise<ReportContent> {
  const [report, before, sources] = await Promise.all([
    getAnalyticsReport(site.id, period, { limit: TOP }),
    getAnalyticsReport(site.id, previous, { limit: 1 }),
    getBreakdown(site.id, period, dimensionNamed("channel")!, { limit: TOP }),
  ]);
  const changes = Object.fromEntries(KEYS.map((k) => [k, percentChange(report.summary[k], before.summary[k])])) as ReportContent["changes"];
  return {
    siteName: site.name,
    period,
    previous,
    summary: report.summary,
    previousSummary: before.summary,
    changes,
    topPages: report.page_engagement.map((p) => ({ page: p.page_path, visits: p.total_visits })),
    topSources: sources.rows.map((r) => ({ channel: r.value, sessions: r.sessions })),
  };
}
