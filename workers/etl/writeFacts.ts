import type pg from "pg";
import type { Prisma } from "../../src/generated/prisma/client";
import type { SessionFacts } from "../../src/core/metrics/session";
import { rebuildDailyTablesSql } from "../../src/core/metrics/sql";
import { SESSION_DIMENSIONS, type SessionDimensionName } from "../../src/core/dimensions/registry";
import { copyRows, copyText } from "./copy";

/** Statements built with Prisma.sql run on the pass's own connection (inside its transaction). */
async function run(client: pg.ClientBase, statement: Prisma.Sql): Promise<number> {
  const result = await client.query(statement.text, statement.values as unknown[]);
  return result.rowCount ?? 0;
}

const ISO = (ms: number): string => new Date(ms).toISOString();

/** Sessions as parallel arrays of site ids and session ids, the shape the queries below unnest. */
export interface SessionPairs {
  siteIds: string[];
  sessionIds: string[];
}

const FACT_TABLES = ["session_facts", "page_visit_facts", "click_facts", "event_facts"];
/** One session_facts column per session dimension, named as the dimension (src/core/dimensions/registry.ts). */
const DIMENSION_COLUMNS = SESSION_DIMENSIONS.map((d) => d.name as SessionDimensionName);

/** Deletes the facts of `replaced` sessions (they are written again, or set aside). */
export async function deleteSessionFacts(client: pg.ClientBase, replaced: SessionPairs): Promise<void> {
  if (replaced.siteIds.length === 0) return;
  for (const table of FACT_TABLES) {
    await client.query(
      `DELETE FROM ${table} t USING unnest($1::uuid[], $2::text[]) AS k(site_id, session_id)
        WHERE t.site_id = k.site_id AND t.session_id = k.session_id`,
      [replaced.siteIds, replaced.sessionIds],
    );
  }
}

/** Deletes every fact and daily row of these sites (their dates are being recomputed from all their logs). */
export async function deleteSitesRows(client: pg.ClientBase, siteIds: string[]): Promise<void> {
  if (siteIds.length === 0) return;
  for (const table of [...FACT_TABLES, "session_metrics", "page_engagement", "click_through_rates"]) {
    await client.query(`DELETE FROM ${table} WHERE site_id = ANY($1::uuid[])`, [siteIds]);
  }
}

/** The facts of one session of one site. */
export interface SiteSessionFacts {
  siteId: string;
  facts: SessionFacts;
}

/** Writes the three fact tables for these sessions; returns the number of rows. */
async function copyFacts(client: pg.ClientBase, sessions: readonly SiteSessionFacts[]): Promise<number> {
  let rows = await copyRows(
    client,
    "session_facts",
    [
      "site_id",
      "session_id",
      "user_id",
      "date",
      "start_time",
      "end_time",
      "duration_ms",
      "page_views",
      "last_event_at",
      "event_hours",
      ...DIMENSION_COLUMNS,
    ],
    sessions,
    ({ siteId, facts: f }) =>
      `${siteId}\t${copyText(f.sessionId)}\t${copyText(f.userId)}\t${f.date}\t${ISO(f.startTime)}\t${ISO(f.endTime)}\t${f.durationMs}\t${f.pageViews}\t${ISO(f.lastEventTime)}\t{${f.eventHours.join(",")}}\t${DIMENSION_COLUMNS.map((c) => copyText(f.dims[c])).join("\t")}`,
  );
  const visits = sessions.flatMap(({ siteId, facts: f }) => f.visits.map((v) => ({ siteId, f, v })));
  rows += await copyRows(
    client,
    "page_visit_facts",
    ["site_id", "session_id", "date", "page_path", "user_id", "visits", "timed_visits", "time_spent_ms"],
    visits,
    ({ siteId, f, v }) =>
      `${siteId}\t${copyText(f.sessionId)}\t${v.date}\t${copyText(v.pagePath)}\t${copyText(f.userId)}\t${v.visits}\t${v.timedVisits}\t${v.timeSpentMs}`,
  );
  const clicks = sessions.flatMap(({ siteId, facts: f }) => f.clicks.map((c) => ({ siteId, f, c })));
  rows += await copyRows(
    client,
    "click_facts",
    ["site_id", "session_id", "date", "page_path", "button_id", "clicks"],
    clicks,
    ({ siteId, f, c }) => `${siteId}\t${copyText(f.sessionId)}\t${c.date}\t${copyText(c.pagePath)}\t${copyText(c.buttonId)}\t${c.clicks}`,
  );
  const customEvents = sessions.flatMap(({ siteId, facts: f }) => f.customEvents.map((e) => ({ siteId, f, e })));
  rows += await copyRows(
    client,
    "event_facts",
    ["site_id", "session_id", "date", "event_type", "count"],
    customEvents,
    ({ siteId, f, e }) => `${siteId}\t${copyText(f.sessionId)}\t${e.date}\t${copyText(e.eventType)}\t${e.count}`,
  );
  return rows;
}

export interface RefusedSession {
  siteId: string;
  sessionId: string;
  reason: string;
}

/**
 * Writes the facts of these sessions inside the caller's transaction. Should PostgreSQL refuse
 * some (a value the event schema let through but the database does not take), the refused
 * sessions are found by halving the set under savepoints, set aside with the database's reason,
 * and everything else is written: one bad session never stops the pass.
 */
export async function writeSessionFacts(
  client: pg.ClientBase,
  facts: readonly SiteSessionFacts[],
): Promise<{ rows: number; refused: RefusedSession[] }> {
  const refused: RefusedSession[] = [];
  const attempt = async (group: readonly SiteSessionFacts[]): Promise<number> => {
    if (group.length === 0) return 0;
    await client.query("SAVEPOINT pulse_facts");
    try {
      const rows = await copyFacts(client, group);
      await client.query("RELEASE SAVEPOINT pulse_facts");
      return rows;
    } catch (err) {
      await client.query("ROLLBACK TO SAVEPOINT pulse_facts");
      await client.query("RELEASE SAVEPOINT pulse_facts");
      if (group.length === 1) {
        const { siteId, facts: f } = group[0]!;
        refused.push({ siteId, sessionId: f.sessionId, reason: `PostgreSQL refused the session's facts: ${(err as Error).message}` });
        return 0;
      }
      const half = Math.ceil(group.length / 2);
      return (await attempt(group.slice(0, half))) + (await attempt(group.slice(half)));
    }
  };
  const rows = await attempt(facts);
  return { rows, refused };
}

/** (site, date) pairs on which the given sessions currently have facts (before they are replaced). */
export async function factDatesOf(client: pg.ClientBase, sessions: SessionPairs): Promise<Array<{ siteId: string; date: string }>> {
  const { rows } = await client.query<{ site_id: string; date: string }>(
    `WITH k AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS k(site_id, session_id))
     SELECT DISTINCT d.site_id, to_char(d.date, 'YYYY-MM-DD') AS date FROM (
       SELECT t.site_id, t.date FROM session_facts t JOIN k USING (site_id, session_id)
       UNION ALL SELECT t.site_id, t.date FROM page_visit_facts t JOIN k USING (site_id, session_id)
       UNION ALL SELECT t.site_id, t.date FROM click_facts t JOIN k USING (site_id, session_id)) d`,
    [sessions.siteIds, sessions.sessionIds],
  );
  return rows.map((r) => ({ siteId: r.site_id, date: r.date }));
}

/** Recomputes the daily tables of these (site, date) pairs; returns the number of daily rows now stored for them. */
export async function rebuildDailyTables(client: pg.ClientBase, pairs: { siteIds: string[]; dates: string[] }): Promise<number> {
  if (pairs.siteIds.length === 0) return 0;
  let rows = 0;
  for (const statement of rebuildDailyTablesSql(pairs)) {
    const affected = await run(client, statement);
    if (statement.text.trimStart().startsWith("INSERT")) rows += affected;
  }
  return rows;
}
