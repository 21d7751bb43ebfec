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

/** Deletes the facts of `replaced` sessions (they are written again, or set aside). */
export async function deleteSessionFacts(client: pg.ClientBase, replaced: string[]): Promise<void> {
  if (replaced.length === 0) return;
  for (const table of ["session_facts", "page_visit_facts", "click_facts"]) {
    await client.query(`DELETE FROM ${table} WHERE session_id = ANY($1::text[])`, [replaced]);
  }
}

/** Writes the three fact tables for these sessions; returns the number of rows. */
async function copyFacts(client: pg.ClientBase, facts: readonly SessionFacts[]): Promise<number> {
  let rows = await copyRows(
    client,
    "session_facts",
    ["session_id", "user_id", "date", "start_time", "end_time", "duration_ms", "page_views", "last_event_at", "event_hours"],
    facts,
    (f) =>
      `${copyText(f.sessionId)}\t${copyText(f.userId)}\t${f.date}\t${ISO(f.startTime)}\t${ISO(f.endTime)}\t${f.durationMs}\t${f.pageViews}\t${ISO(f.lastEventTime)}\t{${f.eventHours.join(",")}}`,
  );
  const visits = facts.flatMap((f) => f.visits.map((v) => ({ f, v })));
  rows += await copyRows(
    client,
    "page_visit_facts",
    ["session_id", "date", "page_path", "user_id", "visits", "timed_visits", "time_spent_ms"],
    visits,
    ({ f, v }) =>
      `${copyText(f.sessionId)}\t${v.date}\t${copyText(v.pagePath)}\t${copyText(f.userId)}\t${v.visits}\t${v.timedVisits}\t${v.timeSpentMs}`,
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

export interface RefusedSession {
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
  facts: readonly SessionFacts[],
): Promise<{ rows: number; refused: RefusedSession[] }> {
  const refused: RefusedSession[] = [];
  const attempt = async (group: readonly SessionFacts[]): Promise<number> => {
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
        refused.push({ sessionId: group[0]!.sessionId, reason: `PostgreSQL refused the session's facts: ${(err as Error).message}` });
        return 0;
      }
      const half = Math.ceil(group.length / 2);
      return (await attempt(group.slice(0, half))) + (await attempt(group.slice(half)));
    }
  };
  const rows = await attempt(facts);
  return { rows, refused };
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
