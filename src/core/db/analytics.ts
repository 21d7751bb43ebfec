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
import { getConfig } from "../config";
import { logger } from "../logging/logger";
import type { Prisma } from "../../generated/prisma/client";
import { FactStore, type SyncScope } from "../store/factStore";
import { DATA_VERSION_SQL } from "../store/versions";
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

const globalForStore = globalThis as unknown as { pulseFactStore?: FactStore | null };

/**
 * The columnar copy of the facts the range queries run on (docs/dashboard-store.md), or null when
 * they run on PostgreSQL: `analytics.engine: postgres`, or a process that opted out (the workers,
 * whose reports and alerts cover a week at most and are not worth a copy of every fact).
 */
function factStore(): FactStore | null {
  if (globalForStore.pulseFactStore === undefined) {
    const config = getConfig();
    globalForStore.pulseFactStore = config.analytics.engine === "duckdb" ? new FactStore({ postgresUrl: config.postgres.url }) : null;
  }
  return globalForStore.pulseFactStore;
}

/** Run this process's range queries on PostgreSQL, or back on the configured engine. */
export async function enableFactStore(enabled: boolean): Promise<void> {
  await closeFactStore();
  if (!enabled) globalForStore.pulseFactStore = null;
}

/** Loads the copy before the first report asks for it: the web server calls this as it starts. */
export async function warmFactStore(): Promise<void> {
  const store = factStore();
  if (store) await store.reach(await dataVersion());
}

/** The data version this process's copy holds (-1 before its first load); null when there is none. */
export function factStoreVersion(): bigint | null {
  return factStore()?.heldVersion ?? null;
}

/** How this process's copy was last brought up to date (src/core/store/factStore.ts); null when there is none. */
export function factStoreLastSync(): SyncScope | null {
  return factStore()?.lastSync ?? null;
}

export async function closeFactStore(): Promise<void> {
  await globalForStore.pulseFactStore?.close();
  globalForStore.pulseFactStore = undefined;
}

/** Where a report's queries run: the copy, brought up to the report's data version first, or PostgreSQL. */
type Rows = <T>(sql: Prisma.Sql) => Promise<T[]>;

function rowsAt(version: bigint): Rows {
  const store = factStore();
  const onPostgres: Rows = (sql) => getPrisma().$queryRaw(sql);
  if (!store) return onPostgres;
  // The copy is a cache: when it cannot be brought up to date or answer, PostgreSQL answers the
  // same SQL (the next report tries the copy again), so the dashboard never goes down with it.
  return async <T>(sql: Prisma.Sql) => {
    try {
      return await store.query<T>(sql.text, sql.values, version);
    } catch (err) {
      logger.error({ err }, "the dashboard's copy of the facts failed; answering from PostgreSQL");
      return onPostgres<T>(sql);
    }
  };
}

/** A date column as YYYY-MM-DD: a Date from either engine (midnight UTC), or text. */
const day = (value: Date | string): string => (typeof value === "string" ? value : value.toISOString().slice(0, 10));

async function getSummary(rows: Rows, siteId: string, range: DateRange, filters: readonly Filter[]): Promise<Summary> {
  const [row] = await rows<{ total_sessions: number; unique_users: number; avg_duration_seconds: Numeric; total_page_views: number }>(
    rangeSummarySql(siteId, range.from, range.to, filters),
  );
  return {
    sessions: row?.total_sessions ?? 0,
    users: row?.unique_users ?? 0,
    avg_duration_seconds: num(row?.avg_duration_seconds ?? null),
    page_views: row?.total_page_views ?? 0,
  };
}

type DailyRow = {
  date: Date | string;
  total_sessions: number;
  unique_users: number;
  avg_duration_seconds: Numeric;
  avg_page_views: Numeric;
  total_page_views: number;
  bounce_rate: Numeric;
};

async function getDailySessionMetrics(
  rows: Rows,
  siteId: string,
  range: DateRange,
  filters: readonly Filter[],
): Promise<SessionMetricsRow[]> {
  if (filters.length > 0) {
    const daily = await rows<DailyRow>(filteredDailySql(siteId, range.from, range.to, filters));
    return daily.map((r) => ({
      ...r,
      date: day(r.date),
      avg_duration_seconds: num(r.avg_duration_seconds),
      avg_page_views: num(r.avg_page_views),
      bounce_rate: num(r.bounce_rate),
    }));
  }
  const daily = await getPrisma().sessionMetric.findMany({
    where: { siteId, date: { gte: new Date(`${range.from}T00:00:00Z`), lte: new Date(`${range.to}T00:00:00Z`) } },
    orderBy: { date: "asc" },
  });
  return daily.map((r) => ({
    date: day(r.date),
    total_sessions: r.totalSessions,
    unique_users: r.uniqueUsers,
    avg_duration_seconds: num(r.avgDurationSeconds),
    avg_page_views: num(r.avgPageViews),
    total_page_views: r.totalPageViews,
    bounce_rate: num(r.bounceRate),
  }));
}

async function getPageEngagement(
  rows: Rows,
  siteId: string,
  range: DateRange,
  limit: number,
  filters: readonly Filter[],
): Promise<PageEngagementRow[]> {
  const pages = await rows<{
    page_path: string;
    total_visits: number;
    unique_users: number;
    total_time_spent_seconds: Numeric;
    avg_time_spent_seconds: Numeric;
  }>(rangePageEngagementSql(siteId, range.from, range.to, limit, filters));
  return pages.map((r) => ({
    page_path: r.page_path,
    total_visits: r.total_visits,
    unique_users: r.unique_users,
    total_time_spent_seconds: num(r.total_time_spent_seconds),
    avg_time_spent_seconds: numOrNull(r.avg_time_spent_seconds),
  }));
}

async function getClickThroughRates(
  rows: Rows,
  siteId: string,
  range: DateRange,
  limit: number,
  filters: readonly Filter[],
): Promise<ClickThroughRow[]> {
  const clicks = await rows<{ page_path: string; button_id: string; clicks: number; views: number; ctr: Numeric }>(
    rangeClickThroughSql(siteId, range.from, range.to, limit, filters),
  );
  return clicks.map((r) => ({ page_path: r.page_path, button_id: r.button_id, clicks: r.clicks, views: r.views, ctr: numOrNull(r.ctr) }));
}

/**
 * Aggregates change only when a transaction that changes facts commits, and each such transaction
 * bumps data_version as its last write (src/core/store/versions.ts): the version identifies the
 * data exactly, in commit order, so reports can be cached under it without ever being stale.
 */
async function dataVersion(): Promise<bigint> {
  const [row] = await getPrisma().$queryRawUnsafe<{ version: string }[]>(DATA_VERSION_SQL);
  return BigInt(row?.version ?? "0");
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
  const version = await dataVersion();
  const key = `${version}|${siteId}|${range.from}|${range.to}|${limit}|${formatFilters(filters)}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const rows = rowsAt(version);
  const [summary, session_metrics, page_engagement, click_through_rates] = await Promise.all([
    getSummary(rows, siteId, range, filters),
    getDailySessionMetrics(rows, siteId, range, filters),
    getPageEngagement(rows, siteId, range, limit, filters),
    getClickThroughRates(rows, siteId, range, limit, filters),
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
  const version = await dataVersion();
  const key = `${version}|${siteId}|${range.from}|${range.to}|${limit}|${dimension.name}|${formatFilters(filters)}`;
  const cached = breakdownCache.get(key);
  if (cached) return cached;
  const rows = await rowsAt(version)<{
    value: string;
    sessions: number;
    users: number;
    page_views: number;
    bounce_rate: Numeric;
    avg_duration_seconds: Numeric;
    events?: number;
  }>(breakdownSql({ siteId, from: range.from, to: range.to, dimension, filters, limit }));
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
