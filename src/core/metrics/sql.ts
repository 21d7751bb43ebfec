import { Prisma } from "../../generated/prisma/client";
import type { Filter } from "../dimensions/filters";
import { pageRowFilterSql, rowSessionFilterSql, sessionFilterSql } from "../dimensions/sql";

/**
 * The docs/metrics.md aggregations, done in PostgreSQL over the per-session facts the ETL writes.
 * Each expression is written once and used both for the daily tables (grouped by site and date)
 * and for any date range of one site (grouped over the whole range, so distinct counts and
 * averages are exact for the range rather than sums or averages of daily rows).
 * ROUND(numeric, 2) rounds half away from zero on exact numeric values.
 */

/** Over session_facts f. */
export const sessionAggregates = Prisma.sql`
  count(*)::int AS total_sessions,
  count(DISTINCT f.user_id)::int AS unique_users,
  round(avg(f.duration_ms) / 1000.0, 2) AS avg_duration_seconds,
  round(avg(f.page_views), 2) AS avg_page_views,
  coalesce(sum(f.page_views), 0)::int AS total_page_views,
  round(100.0 * count(*) FILTER (WHERE f.page_views <= 1) / nullif(count(*), 0), 2) AS bounce_rate`;

/** Which rows of a fact or daily table: some (site, date) pairs, or one site's range of dates. */
export type FactFilter = { pairs: { siteIds: string[]; dates: string[] } } | { siteId: string; from: string; to: string };

/** WHERE clause over `alias.site_id` and `alias.date`. */
export function factWhere(alias: string, filter: FactFilter): Prisma.Sql {
  const site = Prisma.raw(`${alias}.site_id`);
  const date = Prisma.raw(`${alias}.date`);
  return "pairs" in filter
    ? Prisma.sql`(${site}, ${date}) IN (SELECT * FROM unnest(${filter.pairs.siteIds}::uuid[], ${filter.pairs.dates}::date[]))`
    : Prisma.sql`${site} = ${filter.siteId}::uuid AND ${date} BETWEEN ${filter.from}::date AND ${filter.to}::date`;
}

/**
 * Page engagement per page_path (and per site and date when `daily`) over the visits the filter
 * selects. Distinct users come from a first aggregation per user: two hashed GROUP BYs are
 * about twice as fast as a sorting count(DISTINCT user_id) over months of facts.
 */
function pageEngagementSelect(filter: FactFilter, daily: boolean, filters: readonly Filter[] = []): Prisma.Sql {
  const keys = daily ? Prisma.sql`site_id, date, page_path` : Prisma.sql`page_path`;
  return Prisma.sql`SELECT ${keys}, sum(visits)::int AS total_visits, count(*)::int AS unique_users,
      sum(time_spent_ms) / 1000.0 AS total_time_spent_seconds,
      round(sum(time_spent_ms) / 1000.0 / nullif(sum(timed_visits), 0), 2) AS avg_time_spent_seconds
    FROM (SELECT ${keys}, user_id, sum(visits) AS visits, sum(timed_visits) AS timed_visits, sum(time_spent_ms) AS time_spent_ms
            FROM page_visit_facts v
           WHERE ${factWhere("v", filter)} AND ${pageRowFilterSql(filters, "v.page_path")} AND ${rowSessionFilterSql(filters, "v")}
           GROUP BY ${keys}, user_id) per_user
    GROUP BY ${keys}`;
}

/** clicks and views joined per page_path; CTR is NULL when the page had no views. */
export const ctrExpression = Prisma.sql`
  CASE WHEN coalesce(views.views, 0) > 0 THEN round(100.0 * clicks.clicks / views.views, 2) END`;

/** Rebuilds the three daily tables for the given (site, date) pairs from the facts, inside the caller's transaction. */
export function rebuildDailyTablesSql(pairs: { siteIds: string[]; dates: string[] }): Prisma.Sql[] {
  const filter = { pairs };
  return [
    Prisma.sql`DELETE FROM session_metrics d WHERE ${factWhere("d", filter)}`,
    Prisma.sql`INSERT INTO session_metrics
        (site_id, date, total_sessions, unique_users, avg_duration_seconds, avg_page_views, total_page_views, bounce_rate)
      SELECT f.site_id, f.date, ${sessionAggregates}
      FROM session_facts f WHERE ${factWhere("f", filter)} GROUP BY f.site_id, f.date`,
    Prisma.sql`DELETE FROM page_engagement d WHERE ${factWhere("d", filter)}`,
    Prisma.sql`INSERT INTO page_engagement
        (site_id, date, page_path, total_visits, unique_users, total_time_spent_seconds, avg_time_spent_seconds)
      ${pageEngagementSelect(filter, true)}`,
    Prisma.sql`DELETE FROM click_through_rates d WHERE ${factWhere("d", filter)}`,
    Prisma.sql`INSERT INTO click_through_rates (site_id, date, page_path, button_id, clicks, views, ctr)
      SELECT clicks.site_id, clicks.date, clicks.page_path, clicks.button_id, clicks.clicks, coalesce(views.views, 0), ${ctrExpression}
      FROM (SELECT c.site_id, c.date, c.page_path, c.button_id, sum(c.clicks)::int AS clicks
              FROM click_facts c WHERE ${factWhere("c", filter)} GROUP BY 1, 2, 3, 4) clicks
      LEFT JOIN (SELECT v.site_id, v.date, v.page_path, sum(v.visits)::int AS views
              FROM page_visit_facts v WHERE ${factWhere("v", filter)} GROUP BY 1, 2, 3) views
        ON views.site_id = clicks.site_id AND views.date = clicks.date AND views.page_path = clicks.page_path`,
  ];
}

/** A site's range figures (docs/metrics.md, "Figures over a range"), over the sessions the filters keep. */
export function rangeSummarySql(siteId: string, from: string, to: string, filters: readonly Filter[] = []): Prisma.Sql {
  // Distinct users through a subquery: a hashed DISTINCT is several times faster than
  // count(DISTINCT …), which sorts, on a range of months.
  const where = Prisma.sql`${factWhere("f", { siteId, from, to })} AND ${sessionFilterSql(filters)}`;
  return Prisma.sql`SELECT count(*)::int AS total_sessions,
      (SELECT count(*) FROM (SELECT DISTINCT f.user_id FROM session_facts f WHERE ${where}) u)::int AS unique_users,
      round(avg(f.duration_ms) / 1000.0, 2) AS avg_duration_seconds,
      coalesce(sum(f.page_views), 0)::int AS total_page_views
    FROM session_facts f WHERE ${where}`;
}

export function rangePageEngagementSql(
  siteId: string,
  from: string,
  to: string,
  limit: number,
  filters: readonly Filter[] = [],
): Prisma.Sql {
  return Prisma.sql`${pageEngagementSelect({ siteId, from, to }, false, filters)} ORDER BY total_visits DESC, page_path LIMIT ${limit}`;
}

export function rangeClickThroughSql(siteId: string, from: string, to: string, limit: number, filters: readonly Filter[] = []): Prisma.Sql {
  const filter = { siteId, from, to };
  return Prisma.sql`SELECT clicks.page_path, clicks.button_id, clicks.clicks, coalesce(views.views, 0)::int AS views,
      ${ctrExpression} AS ctr
    FROM (SELECT c.page_path, c.button_id, sum(c.clicks)::int AS clicks
            FROM click_facts c
           WHERE ${factWhere("c", filter)} AND ${pageRowFilterSql(filters, "c.page_path")} AND ${rowSessionFilterSql(filters, "c")}
           GROUP BY 1, 2) clicks
    LEFT JOIN (SELECT v.page_path, sum(v.visits)::int AS views
            FROM page_visit_facts v
           WHERE ${factWhere("v", filter)} AND ${pageRowFilterSql(filters, "v.page_path")} AND ${rowSessionFilterSql(filters, "v")}
           GROUP BY 1) views
      ON views.page_path = clicks.page_path
    ORDER BY ctr DESC NULLS LAST, clicks.clicks DESC, clicks.page_path, clicks.button_id LIMIT ${limit}`;
}
