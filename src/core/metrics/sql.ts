import { Prisma } from "../../generated/prisma/client";
import type { Filter } from "../dimensions/filters";
import { pageRowFilterSql, rowSessionFilterSql, sessionFilterSql } from "../dimensions/sql";
import { rounded2 } from "./rounded";

/**
 * The docs/metrics.md aggregations, done in PostgreSQL over the per-session facts the ETL writes.
 * Each expression is written once and used both for the daily tables (grouped by site and date)
 * and for any date range of one site (grouped over the whole range, so distinct counts and
 * averages are exact for the range rather than sums or averages of daily rows).
 * The same SQL text also runs on the dashboard's columnar copy of the facts (src/core/store), in
 * DuckDB: it keeps to what both read alike (see ./rounded.ts for the one place they differ).
 */

/** Over session_facts f. */
export const sessionAggregates = Prisma.sql`
  count(*)::int AS total_sessions,
  count(DISTINCT f.user_id)::int AS unique_users,
  ${rounded2(Prisma.sql`sum(f.duration_ms)`, Prisma.sql`1000 * count(*)`)} AS avg_duration_seconds,
  ${rounded2(Prisma.sql`sum(f.page_views)`, Prisma.sql`count(*)`)} AS avg_page_views,
  coalesce(sum(f.page_views), 0)::int AS total_page_views,
  ${rounded2(Prisma.sql`100 * count(*) FILTER (WHERE f.page_views <= 1)`, Prisma.sql`count(*)`)} AS bounce_rate`;

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
  // Filters come with one site's range only (the daily tables are unfiltered).
  const siteId = "siteId" in filter ? filter.siteId : "";
  const keys = daily ? Prisma.sql`site_id, date, page_path` : Prisma.sql`page_path`;
  return Prisma.sql`SELECT ${keys}, sum(visits)::int AS total_visits, count(*)::int AS unique_users,
      sum(time_spent_ms) / 1000.0 AS total_time_spent_seconds,
      ${rounded2(Prisma.sql`sum(time_spent_ms)`, Prisma.sql`1000 * sum(timed_visits)`)} AS avg_time_spent_seconds
    FROM (SELECT ${keys}, user_id, sum(visits) AS visits, sum(timed_visits) AS timed_visits, sum(time_spent_ms) AS time_spent_ms
            FROM page_visit_facts v
           WHERE ${factWhere("v", filter)} AND ${pageRowFilterSql(filters, "v.page_path")} AND ${rowSessionFilterSql(filters, siteId, "v")}
           GROUP BY ${keys}, user_id) per_user
    GROUP BY ${keys}`;
}

/** clicks and views joined per page_path; CTR is NULL when the page had no views. */
export const ctrExpression = rounded2(Prisma.sql`100 * clicks.clicks`, Prisma.sql`views.views`);

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
  const where = Prisma.sql`${factWhere("f", { siteId, from, to })} AND ${sessionFilterSql(filters, siteId)}`;
  return Prisma.sql`SELECT count(*)::int AS total_sessions,
      (SELECT count(*) FROM (SELECT DISTINCT f.user_id FROM session_facts f WHERE ${where}) u)::int AS unique_users,
      ${rounded2(Prisma.sql`sum(f.duration_ms)`, Prisma.sql`1000 * count(*)`)} AS avg_duration_seconds,
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
  return Prisma.sql`${pageEngagementSelect({ siteId, from, to }, false, filters)} ORDER BY total_visits DESC, page_path COLLATE "C" LIMIT ${limit}`;
}

export function rangeClickThroughSql(siteId: string, from: string, to: string, limit: number, filters: readonly Filter[] = []): Prisma.Sql {
  const filter = { siteId, from, to };
  return Prisma.sql`SELECT clicks.page_path, clicks.button_id, clicks.clicks, coalesce(views.views, 0)::int AS views,
      ${ctrExpression} AS ctr
    FROM (SELECT c.page_path, c.button_id, sum(c.clicks)::int AS clicks
            FROM click_facts c
           WHERE ${factWhere("c", filter)} AND ${pageRowFilterSql(filters, "c.page_path")} AND ${rowSessionFilterSql(filters, siteId, "c")}
           GROUP BY 1, 2) clicks
    LEFT JOIN (SELECT v.page_path, sum(v.visits)::int AS views
            FROM page_visit_facts v
           WHERE ${factWhere("v", filter)} AND ${pageRowFilterSql(filters, "v.page_path")} AND ${rowSessionFilterSql(filters, siteId, "v")}
           GROUP BY 1) views
      ON views.page_path = clicks.page_path
    ORDER BY ctr DESC NULLS LAST, clicks.clicks DESC, clicks.page_path COLLATE "C", clicks.button_id COLLATE "C" LIMIT ${limit}`;
}
