import type {
  AnalyticsReport,
  BreakdownReport,
  BreakdownRow,
  ClickThroughRow,
  DateRange,
  PageEngagementRow,
  SessionMetricsRow,
  Summary,
} from "../analytics/types";
import { formatFilters, type Filter } from "../dimensions/filters";
import type { Dimension } from "../dimensions/registry";
import { breakdownSql, filteredDailySql } from "../dimensions/sql";
import { rangeClickThroughSql, rangePageEngagementSql, rangeSummarySql } from "../metrics/sql";
import { getPrisma } from "./client";
import { createBreakdownCache, createReportCache } from "./reportCache";

/** Numeric and bigint columns arrive as Decimal / bigint; the report uses plain numbers. */
type Numeric = { toString(): string } | number | bigint | null;
const num = (value: Numeric): number => (value === null ? 0 : Number(value.toString()));
const numOrNull = (value: Numeric): number | null => (value === null ? null : Number(value.toString()));

export interface ReportOptions {
  /** Most rows per list (pages, buttons); all when omitted. */
  limit?: number;
  /** docs/dimensions.md, "Filters": every figure is over the sessions they keep. */
  filters?: readonly Filter[];
}

const NO_LIMIT = 1_000_000;

export async function getSummary(siteId: string, range: DateRange, filters: readonly Filter[] = []): Promise<Summary> {
  const [row] = await getPrisma().$queryRaw<
    Array<{ total_sessions: number; unique_users: number; avg_duration_seconds: Numeric; total_page_views: number }>
  >(rangeSummarySql(siteId, range.from, range.to, filters));
  return {
    sessions: row?.total_sessions ?? 0,
    users: row?.unique_users ?? 0,
    avg_duration_seconds: num(row?.avg_duration_seconds ?? null),
    page_views: row?.total_page_views ?? 0,
  };
}

type DailyRow = {
  date: string;
  total_sessions: number;
  unique_users: number;
  avg_duration_seconds: Numeric;
  avg_page_views: Numeric;
  total_page_views: number;
  bounce_rate: Numeric;
};

export async function getDailySessionMetrics(
  siteId: string,
  range: DateRange,
  filters: readonly Filter[] = [],
): Promise<SessionMetricsRow[]> {
  if (filters.length > 0) {
    const rows = await getPrisma().$queryRaw<DailyRow[]>(filteredDailySql(siteId, range.from, range.to, filters));
    return rows.map((r) => ({
      ...r,
      avg_duration_seconds: num(r.avg_duration_seconds),
      avg_page_views: num(r.avg_page_views),
      bounce_rate: num(r.bounce_rate),
    }));
  }
  const rows = await getPrisma().sessionMetric.findMany({
    where: { siteId, date: { gte: new Date(`${range.from}T00:00:00Z`), lte: new Date(`${range.to}T00:00:00Z`) } },
    orderBy: { date: "asc" },
  });
  return rows.map((r) => ({
    date: r.date.toISOString().slice(0, 10),
    total_sessions: r.totalSessions,
    unique_users: r.uniqueUsers,
    avg_duration_seconds: num(r.avgDurationSeconds),
    avg_page_views: num(r.avgPageViews),
    total_page_views: r.totalPageViews,
    bounce_rate: num(r.bounceRate),
  }));
}

export async function getPageEngagement(
  siteId: string,
  range: DateRange,
  limit = NO_LIMIT,
  filters: readonly Filter[] = [],
): Promise<PageEngagementRow[]> {
  const rows = await getPrisma().$queryRaw<
    Array<{
      page_path: string;
      total_visits: number;
      unique_users: number;
      total_time_spent_seconds: Numeric;
      avg_time_spent_seconds: Numeric;
    }>
  >(rangePageEngagementSql(siteId, range.from, range.to, limit, filters));
  return rows.map((r) => ({
    page_path: r.page_path,
    total_visits: r.total_visits,
    unique_users: r.unique_users,
    total_time_spent_seconds: num(r.total_time_spent_seconds),
    avg_time_spent_seconds: numOrNull(r.avg_time_spent_seconds),
  }));
}

export async function getClickThroughRates(
  siteId: string,
  range: DateRange,
  limit = NO_LIMIT,
  filters: readonly Filter[] = [],
): Promise<ClickThroughRow[]> {
  const rows = await getPrisma().$queryRaw<Array<{ page_path: string; button_id: string; clicks: number; views: number; ctr: Numeric }>>(
    rangeClickThroughSql(siteId, range.from, range.to, limit, filters),
  );
  return rows.map((r) => ({ page_path: r.page_path, button_id: r.button_id, clicks: r.clicks, views: r.views, ctr: numOrNull(r.ctr) }));
}

/**
 * Aggregates change only when an ETL pass commits, and each such pass is a new row in
 * etl_runs written in the same transaction as the numbers: the latest one that wrote rows
 * identifies the data exactly, so reports can be cached under it without ever being stale.
 */
async function dataVersion(): Promise<number> {
  const run = await getPrisma().etlRun.findFirst({
    where: { status: "succeeded", rowsWritten: { gt: 0 } },
    orderBy: { id: "desc" },
    select: { id: true },
  });
  return run?.id ?? 0;
}

// Bounded by bytes as well as entries: a few huge reports (limit=10000, long ranges) must not grow memory without end.
const cache = createReportCache();

/**
 * A site's report for a date range (docs/api.md, analytics): every figure is the docs/metrics.md
 * definition applied to the whole range. GET /api/analytics and the dashboard's tRPC procedures both return this.
 */
export async function getAnalyticsReport(siteId: string, range: DateRange, options: ReportOptions = {}): Promise<AnalyticsReport> {
  const limit = options.limit ?? NO_LIMIT;
  const filters = options.filters ?? [];
  const key = `${await dataVersion()}|${siteId}|${range.from}|${range.to}|${limit}|${formatFilters(filters)}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const [summary, session_metrics, page_engagement, click_through_rates] = await Promise.all([
    getSummary(siteId, range, filters),
    getDailySessionMetrics(siteId, range, filters),
    getPageEngagement(siteId, range, limit, filters),
    getClickThroughRates(siteId, range, limit, filters),
  ]);
  const report: AnalyticsReport = { range, summary, session_metrics, page_engagement, click_through_rates };
  if (filters.length > 0) report.filters = filters.map((f) => [f.dimension, f.operator, f.value]);
  cache.set(key, report);
  return report;
}

const breakdownCache = createBreakdownCache();

/** Empties both caches, as a new ETL pass does in effect: bench:dashboard times the first request after one. */
export function clearReportCaches(): void {
  cache.clear();
  breakdownCache.clear();
}

/**
 * One dimension's rows over a range and filters (docs/api.md, breakdown): GET /api/analytics/breakdown
 * and the dashboard's panels both return this.
 */
export async function getBreakdown(
  siteId: string,
  range: DateRange,
  dimension: Dimension,
  options: ReportOptions = {},
): Promise<BreakdownReport> {
  const limit = options.limit ?? NO_LIMIT;
  const filters = options.filters ?? [];
  const key = `${await dataVersion()}|${siteId}|${range.from}|${range.to}|${limit}|${dimension.name}|${formatFilters(filters)}`;
  const cached = breakdownCache.get(key);
  if (cached) return cached;
  const rows = await getPrisma().$queryRaw<
    Array<{
      value: string;
      sessions: number;
      users: number;
      page_views: number;
      bounce_rate: Numeric;
      avg_duration_seconds: Numeric;
      events?: number;
    }>
  >(breakdownSql({ siteId, from: range.from, to: range.to, dimension, filters, limit }));
  const report: BreakdownReport = {
    range,
    dimension: dimension.name,
    rows: rows.map((r): BreakdownRow => ({
      value: r.value,
      sessions: r.sessions,
      users: r.users,
      page_views: r.page_views,
      bounce_rate: num(r.bounce_rate),
      avg_duration_seconds: num(r.avg_duration_seconds),
      ...(r.events === undefined ? {} : { events: r.events }),
    })),
  };
  if (filters.length > 0) report.filters = filters.map((f) => [f.dimension, f.operator, f.value]);
  breakdownCache.set(key, report);
  return report;
}
