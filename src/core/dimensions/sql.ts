import { Prisma } from "../../generated/prisma/client";
import { rounded2 } from "../metrics/rounded";
import { factWhere, sessionAggregates } from "../metrics/sql";
import type { Filter } from "./filters";
import { dimensionNamed, type Dimension } from "./registry";

/**
 * Filters and breakdowns in SQL over the facts (docs/dimensions.md). Column names come from the
 * registry (constants), never from a request; values are always bound parameters.
 */

const column = (alias: string, name: string): Prisma.Sql => Prisma.raw(`${alias}."${name}"`);

function match(target: Prisma.Sql, operator: Filter["operator"], value: string): Prisma.Sql {
  switch (operator) {
    case "is":
      return Prisma.sql`${target} = ${value}`;
    case "is_not":
      return Prisma.sql`${target} <> ${value}`;
    case "contains":
      // Case-insensitive, and no LIKE wildcards to escape.
      return Prisma.sql`strpos(lower(${target}), lower(${value})) > 0`;
  }
}

function dimensionOf(filter: Filter): Dimension {
  const dimension = dimensionNamed(filter.dimension);
  if (!dimension) throw new Error(`unknown dimension ${filter.dimension}`);
  return dimension;
}

/**
 * The condition a session `f` (session_facts, of the site `siteId`) must meet. A page or event
 * filter keeps the sessions that have a matching page view or custom event ("is not": that have
 * none). The sessions are picked by an uncorrelated IN: both engines hash that set once, where a
 * correlated EXISTS made DuckDB join every row first (docs/dashboard-store.md).
 */
function sessionCondition(filter: Filter, siteId: string, f: string): Prisma.Sql {
  const dimension = dimensionOf(filter);
  if (dimension.level === "session") return match(column(f, dimension.name), filter.operator, filter.value);
  const [table, target] = dimension.level === "page" ? ["page_visit_facts", "page_path"] : ["event_facts", "event_type"];
  const positive = filter.operator === "is_not" ? "is" : filter.operator;
  const sessions = Prisma.sql`SELECT x.session_id FROM ${Prisma.raw(table)} x
      WHERE x.site_id = ${siteId}::uuid AND ${match(Prisma.raw(`x.${target}`), positive, filter.value)}`;
  return filter.operator === "is_not"
    ? Prisma.sql`${Prisma.raw(`${f}.session_id`)} NOT IN (${sessions})`
    : Prisma.sql`${Prisma.raw(`${f}.session_id`)} IN (${sessions})`;
}

/** AND of every filter's condition on the session `f` of the site `siteId`; TRUE without filters. */
export function sessionFilterSql(filters: readonly Filter[], siteId: string, f = "f"): Prisma.Sql {
  if (filters.length === 0) return Prisma.sql`TRUE`;
  return Prisma.join(
    filters.map((filter) => sessionCondition(filter, siteId, f)),
    " AND ",
  );
}

/**
 * For rows of another fact table (alias `t`, rows of the site `siteId` only): their session meets
 * the filters. TRUE without filters, so unfiltered reports run exactly as before.
 */
export function rowSessionFilterSql(filters: readonly Filter[], siteId: string, t: string): Prisma.Sql {
  if (filters.length === 0) return Prisma.sql`TRUE`;
  return Prisma.sql`${Prisma.raw(`${t}.session_id`)} IN (SELECT sf.session_id FROM session_facts sf
      WHERE sf.site_id = ${siteId}::uuid AND ${sessionFilterSql(filters, siteId, "sf")})`;
}

/** Page filters also narrow rows listed per page (page engagement, clicks, the page breakdown) to the matching pages. */
export function pageRowFilterSql(filters: readonly Filter[], pagePath: string): Prisma.Sql {
  const pageFilters = filters.filter((f) => dimensionOf(f).level === "page");
  if (pageFilters.length === 0) return Prisma.sql`TRUE`;
  return Prisma.join(
    pageFilters.map((f) => match(Prisma.raw(pagePath), f.operator, f.value)),
    " AND ",
  );
}

/** The same for custom-event rows (the event breakdown). */
function eventRowFilterSql(filters: readonly Filter[], eventType: string): Prisma.Sql {
  const eventFilters = filters.filter((f) => dimensionOf(f).level === "event");
  if (eventFilters.length === 0) return Prisma.sql`TRUE`;
  return Prisma.join(
    eventFilters.map((f) => match(Prisma.raw(eventType), f.operator, f.value)),
    " AND ",
  );
}

export interface BreakdownQuery {
  siteId: string;
  from: string;
  to: string;
  dimension: Dimension;
  filters: readonly Filter[];
  limit: number;
}

/**
 * Per value and user first, then per value (docs/dimensions.md, "Breakdowns"): users are the rows of
 * the first step, so no count(DISTINCT …), which sorts each group, and both steps are hashed. The
 * rates are those of the sessions: sums of the first step divided by its session count, as avg() would.
 */
const perUser = Prisma.sql`count(*) AS sessions, count(*) FILTER (WHERE f.page_views <= 1) AS bounces,
  sum(f.duration_ms) AS duration_ms, sum(f.page_views) AS page_views`;
const perValue = Prisma.sql`sum(u.sessions)::int AS sessions, count(*)::int AS users,
  ${rounded2(Prisma.sql`100 * sum(u.bounces)`, Prisma.sql`sum(u.sessions)`)} AS bounce_rate,
  ${rounded2(Prisma.sql`sum(u.duration_ms)`, Prisma.sql`1000 * sum(u.sessions)`)} AS avg_duration_seconds`;

/**
 * One row per value of the dimension over the range and filters: sessions, users, page views,
 * bounce rate and average duration of the sessions with that value. For a session dimension a
 * session has one value and counts in the range of its date; for pages (and custom events) a
 * session counts under each page it viewed (event it sent) in the range, and page_views (events)
 * are those of that page (type).
 */
export function breakdownSql(q: BreakdownQuery): Prisma.Sql {
  const range = { siteId: q.siteId, from: q.from, to: q.to };
  // Values and users are grouped and ordered under the "C" collation (byte order): equality is the
  // same as under any deterministic collation, ties sort the same whatever the database's
  // collation, and sorts compare bytes instead of calling strcoll (several times faster).
  const order = Prisma.sql`ORDER BY sessions DESC, u.value LIMIT ${q.limit}`;
  if (q.dimension.level === "session") {
    return Prisma.sql`SELECT u.value, ${perValue}, coalesce(sum(u.page_views), 0)::int AS page_views
      FROM (SELECT ${column("f", q.dimension.name)} COLLATE "C" AS value, f.user_id COLLATE "C" AS user_id, ${perUser}
              FROM session_facts f WHERE ${factWhere("f", range)} AND ${sessionFilterSql(q.filters, q.siteId)}
             GROUP BY 1, 2) u
      GROUP BY u.value ${order}`;
  }
  const [table, target, rowFilter] =
    q.dimension.level === "page"
      ? (["page_visit_facts", "page_path", pageRowFilterSql(q.filters, "x.page_path")] as const)
      : (["event_facts", "event_type", eventRowFilterSql(q.filters, "x.event_type")] as const);
  const amount = q.dimension.level === "page" ? Prisma.raw("x.visits") : Prisma.raw("x.count");
  // The filters pick the kept sessions' rows before the per-session step, which then groups only
  // those (the page breakdown at 10M events with two filters: 336 ms to about 200 ms on the copy),
  // so the sessions joined to them need no second check.
  const amounts =
    q.dimension.level === "page"
      ? Prisma.sql`sum(u.amount)::int AS page_views`
      : Prisma.sql`coalesce(sum(u.page_views), 0)::int AS page_views, sum(u.amount)::int AS events`;
  return Prisma.sql`SELECT u.value, ${perValue}, ${amounts}
    FROM (SELECT per.value, f.user_id COLLATE "C" AS user_id, ${perUser}, sum(per.amount) AS amount
            FROM (SELECT x.site_id, x.session_id, ${Prisma.raw(`x.${target}`)} COLLATE "C" AS value, sum(${amount}) AS amount
                    FROM ${Prisma.raw(table)} x
                   WHERE ${factWhere("x", range)} AND ${rowFilter} AND ${rowSessionFilterSql(q.filters, q.siteId, "x")}
                   GROUP BY 1, 2, 3) per
            JOIN session_facts f ON f.session_id = per.session_id AND f.site_id = ${q.siteId}::uuid
           GROUP BY 1, 2) u
    GROUP BY u.value ${order}`;
}

/** Daily session metrics computed from the facts under filters (unfiltered, the session_metrics table answers). */
export function filteredDailySql(siteId: string, from: string, to: string, filters: readonly Filter[]): Prisma.Sql {
  return Prisma.sql`SELECT f.date, ${sessionAggregates}
    FROM session_facts f WHERE ${factWhere("f", { siteId, from, to })} AND ${sessionFilterSql(filters, siteId)}
    GROUP BY f.date ORDER BY f.date`;
}
