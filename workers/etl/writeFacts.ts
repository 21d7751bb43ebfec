import type pg from "pg";
import type { Prisma } from "../../src/generated/prisma/client";
import type { SessionFacts } from "../../src/core/metrics/session";
import { rebuildDailyTablesSql } from "../../src/core/metrics/sql";
import { copyRows, copyText } from "./copy";

/** Statements built with Prisma.sql run on the pass's own connection (inside its transaction). */
async function run(client: pg.ClientBase, statement: Prisma.Sql): Promise<number> {
  const result = await client.query(statement.text, statement.values as unknown[]);
  return result.rowCount ?? 0;
}

const ISO = (ms: number): string => new Date(ms).toISOString();

/** Deletes the facts of `replaced` sessions and writes `facts`; returns the number of fact rows written. */
export async function replaceSessionFacts(client: pg.ClientBase, replaced: string[], facts: SessionFacts[]): Promise<number> {
  if (replaced.length > 0) {
    for (const table of ["session_facts", "page_visit_facts", "click_facts"]) {
      await client.query(`DELETE FROM ${table} WHERE session_id = ANY($1::text[])`, [replaced]);
    }
  }
  let rows = await copyRows(
    client,
    "session_facts",
    ["session_id", "user_id", "date", "start_time", "end_time", "duration_ms", "page_views", "last_event_at"],
    facts,
    (f) =>
      `${copyText(f.sessionId)}\t${copyText(f.userId)}\t${f.date}\t${ISO(f.startTime)}\t${ISO(f.endTime)}\t${f.durationMs}\t${f.pageViews}\t${ISO(f.lastEventTime)}`,
  );
  const visits = facts.flatMap((f) => f.visits.map((v) => ({ f, v })));
  rows += await copyRows(
    client,
    "page_visit_facts",
    ["session_id", "date", "page_path", "user_id", "visits", "timed_visits", "time_spent_ms"],
    visits,
    ({ f, v }) => `${copyText(f.sessionId)}\t${v.date}\t${copyText(v.pagePath)}\t${copyText(f.userId)}\t${v.visits}\t${v.timedVisits}\t${v.timeSpentMs}`,
  );
  const clicks = facts.flatMap((f) => f.clicks.map((c) => ({ f, c })));
  rows += await copyRows(
    client,
    "click_facts",
    ["session_id", "date", "page_path", "button_id", "clicks"],
    clicks,
    ({ f, c }) => `${copyText(f.sessionId)}\t${c.date}\t${copyText(c.pagePath)}\t${copyText(c.buttonId)}\t${c.clicks}`,
  );
  return rows;
}

/** Dates on which the given sessions currently have facts (before they are replaced). */
export async function factDatesOf(client: pg.ClientBase, sessionIds: string[]): Promise<string[]> {
  const { rows } = await client.query<{ date: string }>(
    `SELECT DISTINCT to_char(date, 'YYYY-MM-DD') AS date FROM (
       SELECT date FROM session_facts WHERE session_id = ANY($1::text[])
       UNION ALL SELECT date FROM page_visit_facts WHERE session_id = ANY($1::text[])
       UNION ALL SELECT date FROM click_facts WHERE session_id = ANY($1::text[])) d`,
    [sessionIds],
  );
  return rows.map((r) => r.date);
}

/** Recomputes the daily tables of these dates; returns the number of daily rows now stored for them. */
export async function rebuildDailyTables(client: pg.ClientBase, dates: string[]): Promise<number> {
  let rows = 0;
  for (const statement of rebuildDailyTablesSql(dates)) {
    const affected = await run(client, statement);
    if (statement.text.trimStart().startsWith("INSERT")) rows += affected;
  }
  return rows;
}

export async function saveCursors(client: pg.ClientBase, cursors: Map<string, number>): Promise<void> {
  if (cursors.size === 0) return;
  await client.query(
    `INSERT INTO etl_file_cursors (path, bytes, updated_at)
     SELECT p, b, now() FROM unnest($1::text[], $2::bigint[]) AS t(p, b)
     ON CONFLICT (path) DO UPDATE SET bytes = EXCLUDED.bytes, updated_at = now()`,
    [[...cursors.keys()], [...cursors.values()]],
  );
}
