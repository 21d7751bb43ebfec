/**
 * An independent implementation of docs/metrics.md in DuckDB, straight from the JSON Lines logs.
 * It shares no code with the ETL: it is the yardstick the ETL's numbers are checked against
 * (tests) and timed against (bench:etl). DuckDB returns exact integer sums and counts; the
 * 2-decimal rounding (half away from zero) is done here in exact integer arithmetic. Sessions are
 * per (site, session_id); dates are days in each site's time zone (DuckDB's ICU time zones).
 *
 * Dimensions, filters and breakdowns follow docs/dimensions.md from its text, with their own list
 * of dimensions below (not the registry): a session's dimensions are the `dims` of its first event
 * that has any (an empty object counts), entry and exit pages its first and last page_visited.
 */
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DEFAULT_SITE_ID } from "../../src/core/sites/defaultSite";
import type { BreakdownRow } from "../../src/core/analytics/types";
import type { Row } from "./etl";

export interface ReferenceTables {
  session_metrics: Row[];
  page_engagement: Row[];
  click_through_rates: Row[];
}

export interface ReferenceReport {
  summary: { sessions: number; users: number; avg_duration_seconds: number; page_views: number };
  /** Daily rows of the kept sessions in the range (the session_metrics columns, without site). */
  session_metrics: Row[];
  page_engagement: Row[];
  click_through_rates: Row[];
}

/** docs/dimensions.md, "Filters": [dimension, operator, value]. */
export type ReferenceFilter = readonly [dimension: string, operator: "is" | "is_not" | "contains", value: string];

/** The API's breakdown row (src/core/analytics/types.ts): the reference computes it on its own, in DuckDB. */
export type ReferenceBreakdownRow = BreakdownRow;

/**
 * The dimensions of docs/dimensions.md ("The dimensions"): session ones with the value stored when
 * unknown; `page` and `event` are the two others. Kept here, apart from the registry, so a
 * registry that drifts from the docs fails the cross-check.
 */
const DIMS_UNKNOWN: Record<string, string> = {
  channel: "Direct",
  referrer: "(none)",
  utm_source: "(none)",
  utm_medium: "(none)",
  utm_campaign: "(none)",
  utm_term: "(none)",
  utm_content: "(none)",
  hostname: "unknown",
  country: "unknown",
  language: "unknown",
  device: "unknown",
  browser: "unknown",
  browser_version: "unknown",
  os: "unknown",
};
const SESSION_COLUMNS = [...Object.keys(DIMS_UNKNOWN), "entry_page", "exit_page"];
const BUILT_IN = ["session_created", "page_visited", "button_clicked", "page_closed", "session_ended"];

/** round(n / d, 2) for n >= 0, d > 0, half away from zero, exactly. */
export function roundRatio(n: bigint, d: bigint): number {
  return Number((n * 200n + d) / (2n * d)) / 100;
}

const big = (v: unknown): bigint => BigInt(String(v));

const sql = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** The site's calendar date of an epoch-milliseconds column. */
const dateOf = (column: string): string => `CAST(timezone(tz.zone, to_timestamp(${column} / 1000.0)) AS DATE)`;

const SETUP = (glob: string, zones: Record<string, string>): string => `
  CREATE TEMP TABLE site_zone (site_id VARCHAR, zone VARCHAR);
  ${Object.entries(zones)
    .map(([site, zone]) => `INSERT INTO site_zone VALUES (${sql(site)}, ${sql(zone)});`)
    .join("\n")}
  CREATE TEMP TABLE raw AS
    SELECT coalesce(site_id, ${sql(DEFAULT_SITE_ID)}) AS site_id, event_id, event_type, user_id, session_id,
           coalesce(page_path, '') AS page_path, button_id,
           epoch_ms(CAST(replace(event_time, 'Z', '') AS TIMESTAMP)) AS t, dims
    FROM read_json(${sql(glob)}, format = 'newline_delimited', ignore_errors = true,
      columns = {site_id: 'VARCHAR', event_id: 'VARCHAR', event_type: 'VARCHAR', user_id: 'VARCHAR', session_id: 'VARCHAR',
                 page_path: 'VARCHAR', button_id: 'VARCHAR', event_time: 'VARCHAR', dims: 'JSON'})
    WHERE event_id IS NOT NULL AND session_id IS NOT NULL AND event_time IS NOT NULL;
  -- The same event_id counts once per session: keep its earliest copy.
  CREATE TEMP TABLE ev AS
    SELECT * EXCLUDE (rn) FROM (
      SELECT *, row_number() OVER (PARTITION BY site_id, session_id, event_id ORDER BY t) AS rn FROM raw) WHERE rn = 1;
  CREATE TEMP TABLE sessions AS
    SELECT site_id, session_id,
           first(user_id ORDER BY t, event_id) AS user_id,
           min(t) AS start_t,
           coalesce(max(t) FILTER (WHERE event_type = 'session_ended'), max(t)) AS end_t,
           count(*) FILTER (WHERE event_type = 'page_visited') AS page_views,
           -- docs/dimensions.md: the dims of the first event that has any; entry and exit pages.
           arg_min(dims, (t, event_id)) FILTER (WHERE dims IS NOT NULL) AS dims,
           arg_min(page_path, (t, event_id)) FILTER (WHERE event_type = 'page_visited') AS entry_page,
           arg_max(page_path, (t, event_id)) FILTER (WHERE event_type = 'page_visited') AS exit_page
    FROM ev GROUP BY site_id, session_id;
  CREATE TEMP TABLE ordered AS
    SELECT ev.*,
      min(t) FILTER (WHERE event_type IN ('page_visited', 'session_ended')) OVER (
        PARTITION BY site_id, session_id ORDER BY t, event_id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_boundary,
      min(t) FILTER (WHERE event_type = 'page_closed') OVER (
        PARTITION BY site_id, session_id, page_path ORDER BY t, event_id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_close
    FROM ev;
  CREATE TEMP TABLE zones AS SELECT DISTINCT e.site_id, coalesce(z.zone, 'UTC') AS zone FROM ev e LEFT JOIN site_zone z USING (site_id);
  CREATE TEMP TABLE visits AS
    SELECT o.site_id, o.session_id, ${dateOf("o.t")} AS date, o.page_path, s.user_id,
           least(least(coalesce(o.next_boundary, 9223372036854775807), coalesce(o.next_close, 9223372036854775807)) - o.t, 1800000) AS ms,
           (o.next_boundary IS NOT NULL OR o.next_close IS NOT NULL) AS timed
    FROM ordered o JOIN sessions s USING (site_id, session_id) JOIN zones tz USING (site_id) WHERE o.event_type = 'page_visited';
  CREATE TEMP TABLE clicks AS
    SELECT e.site_id, e.session_id, ${dateOf("e.t")} AS date, e.page_path, coalesce(e.button_id, '') AS button_id
    FROM ev e JOIN zones tz USING (site_id) WHERE e.event_type = 'button_clicked';
  -- Custom events: every type but the built-in ones, on the date of each event.
  CREATE TEMP TABLE custom AS
    SELECT e.site_id, e.session_id, ${dateOf("e.t")} AS date, e.event_type
    FROM ev e JOIN zones tz USING (site_id) WHERE e.event_type NOT IN (${BUILT_IN.map(sql).join(", ")});
  CREATE TEMP TABLE session_days AS
    SELECT s.site_id, s.session_id, ${dateOf("s.start_t")} AS date, s.user_id, s.end_t - s.start_t AS duration_ms, s.page_views,
      ${Object.entries(DIMS_UNKNOWN)
        .map(([name, unknown]) => `coalesce(json_extract_string(s.dims, ${sql(`$.${name}`)}), ${sql(unknown)}) AS ${name}`)
        .join(",\n      ")},
      coalesce(s.entry_page, '(none)') AS entry_page, coalesce(s.exit_page, '(none)') AS exit_page
    FROM sessions s JOIN zones tz USING (site_id);
`;

/** `target` matches one filter's operator and value (contains: case-insensitive substring). */
function matches(target: string, operator: ReferenceFilter[1], value: string): string {
  switch (operator) {
    case "is":
      return `${target} = ${sql(value)}`;
    case "is_not":
      return `${target} <> ${sql(value)}`;
    case "contains":
      return `contains(lower(${target}), lower(${sql(value)}))`;
  }
}

/**
 * The sessions (alias s, a session_days row) the filters keep: a session dimension by its value; a
 * page filter by the session's page views (is_not: none equal to the value), an event filter by
 * its custom events; any date.
 */
function keptSql(filters: readonly ReferenceFilter[], s = "s"): string {
  const conditions = filters.map(([dimension, operator, value]) => {
    if (SESSION_COLUMNS.includes(dimension)) return matches(`${s}.${dimension}`, operator, value);
    if (dimension !== "page" && dimension !== "event") throw new Error(`the reference knows no dimension ${dimension}`);
    const [table, column] = dimension === "page" ? ["visits", "page_path"] : ["custom", "event_type"];
    const some = (op: ReferenceFilter[1]) =>
      `EXISTS (SELECT 1 FROM ${table} x WHERE x.site_id = ${s}.site_id AND x.session_id = ${s}.session_id AND ${matches(`x.${column}`, op, value)})`;
    return operator === "is_not" ? `NOT ${some("is")}` : some(operator);
  });
  return conditions.length === 0 ? "TRUE" : conditions.join(" AND ");
}

/** Whether the session of a row (alias r) is kept: the caller has made the table `kept` of them. */
type KeptCondition = (r: string) => string;

/** Rows of a visits/clicks (or custom) table `r` whose session is kept and whose page (type) matches the page (event) filters. */
function rowsKeptSql(filters: readonly ReferenceFilter[], kept: KeptCondition, r: string, level: "page" | "event" = "page"): string {
  const own = filters
    .filter(([dimension]) => dimension === level)
    .map(([, operator, value]) => matches(`${r}.${level === "page" ? "page_path" : "event_type"}`, operator, value));
  return [...own, kept(r)].join(" AND ");
}

export class DuckReference {
  private constructor(private readonly connection: Awaited<ReturnType<DuckDBInstance["connect"]>>) {}

  /**
   * Loads every events log under logsDir (every site's folder, and files from before sites) and
   * derives sessions, visits and clicks; `timeZones` gives a site's zone (UTC otherwise).
   */
  static async load(logsDir: string, timeZones: Record<string, string> = {}): Promise<DuckReference> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    const connection = await instance.connect();
    await connection.run(SETUP(path.join(logsDir, "events", "**", "*.jsonl"), timeZones));
    return new DuckReference(connection);
  }

  private keptFilters: string | null = null;

  /** Makes the table of the sessions the filters keep (once per filter set in a row) and returns the test for it. */
  private async kept(filters: readonly ReferenceFilter[]): Promise<KeptCondition> {
    if (filters.length === 0) return () => "TRUE";
    const key = JSON.stringify(filters);
    if (this.keptFilters !== key) {
      await this.connection.run(
        `CREATE OR REPLACE TEMP TABLE kept AS SELECT site_id, session_id FROM session_days s WHERE ${keptSql(filters)}`,
      );
      this.keptFilters = key;
    }
    return (r) => `EXISTS (SELECT 1 FROM kept k WHERE k.site_id = ${r}.site_id AND k.session_id = ${r}.session_id)`;
  }

  private async rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /** The three daily tables of one site. */
  async tables(siteId = DEFAULT_SITE_ID): Promise<ReferenceTables> {
    const site = `site_id = ${sql(siteId)}`;
    const sm = await this.rows(`SELECT strftime(date, '%Y-%m-%d') AS date, count(*) AS n, count(DISTINCT user_id) AS users,
        sum(duration_ms) AS dur, sum(page_views) AS pv, count(*) FILTER (WHERE page_views <= 1) AS bounces
      FROM session_days WHERE ${site} GROUP BY date ORDER BY date`);
    const pe = await this.rows(`SELECT strftime(date, '%Y-%m-%d') AS date, page_path, count(*) AS n, count(DISTINCT user_id) AS users,
        coalesce(sum(ms) FILTER (WHERE timed), 0) AS ms, count(*) FILTER (WHERE timed) AS timed
      FROM visits WHERE ${site} GROUP BY date, page_path ORDER BY date, page_path`);
    const ctr = await this
      .rows(`SELECT strftime(c.date, '%Y-%m-%d') AS date, c.page_path, c.button_id, c.clicks, coalesce(v.views, 0) AS views
      FROM (SELECT date, page_path, button_id, count(*) AS clicks FROM clicks WHERE ${site} GROUP BY ALL) c
      LEFT JOIN (SELECT date, page_path, count(*) AS views FROM visits WHERE ${site} GROUP BY ALL) v USING (date, page_path)
      ORDER BY c.date, c.page_path, c.button_id`);
    return {
      session_metrics: sm.map((r) => ({
        date: String(r.date),
        total_sessions: Number(r.n),
        unique_users: Number(r.users),
        avg_duration_seconds: roundRatio(big(r.dur), 1000n * big(r.n)),
        avg_page_views: roundRatio(big(r.pv), big(r.n)),
        total_page_views: Number(r.pv),
        bounce_rate: roundRatio(100n * big(r.bounces), big(r.n)),
      })),
      page_engagement: pe.map((r) => pageRow(r, { date: String(r.date) })),
      click_through_rates: ctr.map((r) => ctrRow(r, { date: String(r.date) })),
    };
  }

  /** One site's docs/metrics.md range figures, computed over the whole range. */
  async report(from: string, to: string, siteId = DEFAULT_SITE_ID, filters: readonly ReferenceFilter[] = []): Promise<ReferenceReport> {
    const range = `site_id = ${sql(siteId)} AND date BETWEEN DATE '${from}' AND DATE '${to}'`;
    const kept = await this.kept(filters);
    const where = `${range} AND ${kept("session_days")}`;
    // Visits and clicks of the range whose session is kept, on the pages the page filters keep.
    const rowsIn = (r: string) =>
      `${r}.site_id = ${sql(siteId)} AND ${r}.date BETWEEN DATE '${from}' AND DATE '${to}' AND ${rowsKeptSql(filters, kept, r)}`;
    const [s] = await this.rows(`SELECT count(*) AS n, count(DISTINCT user_id) AS users, coalesce(sum(duration_ms), 0) AS dur,
        coalesce(sum(page_views), 0) AS pv FROM session_days WHERE ${where}`);
    const daily = await this.rows(`SELECT strftime(date, '%Y-%m-%d') AS date, count(*) AS n, count(DISTINCT user_id) AS users,
        sum(duration_ms) AS dur, sum(page_views) AS pv, count(*) FILTER (WHERE page_views <= 1) AS bounces
      FROM session_days WHERE ${where} GROUP BY date ORDER BY date`);
    const pe = await this.rows(`SELECT page_path, count(*) AS n, count(DISTINCT user_id) AS users,
        coalesce(sum(ms) FILTER (WHERE timed), 0) AS ms, count(*) FILTER (WHERE timed) AS timed
      FROM visits v WHERE ${rowsIn("v")} GROUP BY page_path ORDER BY n DESC, page_path`);
    const ctr = await this.rows(`SELECT c.page_path, c.button_id, c.clicks, coalesce(v.views, 0) AS views
      FROM (SELECT page_path, button_id, count(*) AS clicks FROM clicks c WHERE ${rowsIn("c")} GROUP BY ALL) c
      LEFT JOIN (SELECT page_path, count(*) AS views FROM visits v WHERE ${rowsIn("v")} GROUP BY ALL) v USING (page_path)`);
    const n = big(s!.n);
    const rows = ctr.map((r) => ctrRow(r, {}));
    // ctr desc, NULL last, then clicks desc, page_path, button_id.
    rows.sort((a, b) =>
      a.ctr === b.ctr
        ? Number(b.clicks) - Number(a.clicks) || cmp(a.page_path, b.page_path) || cmp(a.button_id, b.button_id)
        : a.ctr === null
          ? 1
          : b.ctr === null
            ? -1
            : Number(b.ctr) - Number(a.ctr),
    );
    return {
      summary: {
        sessions: Number(n),
        users: Number(s!.users),
        avg_duration_seconds: n === 0n ? 0 : roundRatio(big(s!.dur), 1000n * n),
        page_views: Number(s!.pv),
      },
      session_metrics: daily.map(sessionRow),
      page_engagement: pe.map((r) => pageRow(r, {})),
      click_through_rates: rows,
    };
  }

  /**
   * docs/dimensions.md, "Breakdowns": one row per value over the range and filters, sorted by
   * sessions, then value. A session dimension counts each kept session of the range once; `page`
   * (`event`) counts a kept session under each page (type) it viewed (sent) in the range.
   */
  async breakdown(
    dimension: string,
    from: string,
    to: string,
    siteId = DEFAULT_SITE_ID,
    filters: readonly ReferenceFilter[] = [],
  ): Promise<ReferenceBreakdownRow[]> {
    const inRange = (r: string) => `${r}.site_id = ${sql(siteId)} AND ${r}.date BETWEEN DATE '${from}' AND DATE '${to}'`;
    const sessionFigures = `count(*) AS n, count(DISTINCT s.user_id) AS users, sum(s.page_views) AS pv,
        count(*) FILTER (WHERE s.page_views <= 1) AS bounces, sum(s.duration_ms) AS dur`;
    const kept = await this.kept(filters);
    let rows: Record<string, unknown>[];
    if (SESSION_COLUMNS.includes(dimension)) {
      rows = await this.rows(`SELECT s.${dimension} AS value, ${sessionFigures}
        FROM session_days s WHERE ${inRange("s")} AND ${kept("s")} GROUP BY 1`);
    } else if (dimension === "page" || dimension === "event") {
      const [table, column] = dimension === "page" ? ["visits", "page_path"] : ["custom", "event_type"];
      rows = await this.rows(`SELECT per.value, ${sessionFigures}, sum(per.amount) AS amount
        FROM (SELECT x.site_id, x.session_id, x.${column} AS value, count(*) AS amount FROM ${table} x
               WHERE ${inRange("x")} AND ${rowsKeptSql(filters, kept, "x", dimension)} GROUP BY ALL) per
        JOIN session_days s USING (site_id, session_id) GROUP BY 1`);
    } else throw new Error(`the reference knows no dimension ${dimension}`);
    const out = rows.map((r): ReferenceBreakdownRow => {
      const n = big(r.n);
      const row: ReferenceBreakdownRow = {
        value: String(r.value),
        sessions: Number(n),
        users: Number(r.users),
        page_views: Number(dimension === "page" ? r.amount : r.pv),
        bounce_rate: roundRatio(100n * big(r.bounces), n),
        avg_duration_seconds: roundRatio(big(r.dur), 1000n * n),
      };
      if (dimension === "event") row.events = Number(r.amount);
      return row;
    });
    // Sessions desc, then value in code-unit order (the same as byte order for these values).
    return out.sort((a, b) => b.sessions - a.sessions || cmp(a.value, b.value));
  }
}

function sessionRow(r: Record<string, unknown>): Row {
  const n = big(r.n);
  return {
    date: String(r.date),
    total_sessions: Number(n),
    unique_users: Number(r.users),
    avg_duration_seconds: roundRatio(big(r.dur), 1000n * n),
    avg_page_views: roundRatio(big(r.pv), n),
    total_page_views: Number(r.pv),
    bounce_rate: roundRatio(100n * big(r.bounces), n),
  };
}

function cmp(a: unknown, b: unknown): number {
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function pageRow(r: Record<string, unknown>, head: Row): Row {
  const timed = big(r.timed);
  return {
    ...head,
    page_path: String(r.page_path),
    total_visits: Number(r.n),
    unique_users: Number(r.users),
    total_time_spent_seconds: Number(r.ms) / 1000,
    avg_time_spent_seconds: timed === 0n ? null : roundRatio(big(r.ms), 1000n * timed),
  };
}

function ctrRow(r: Record<string, unknown>, head: Row): Row {
  const views = big(r.views);
  return {
    ...head,
    page_path: String(r.page_path),
    button_id: String(r.button_id),
    clicks: Number(r.clicks),
    views: Number(views),
    ctr: views === 0n ? null : roundRatio(100n * big(r.clicks), views),
  };
}
