/** Helpers for ETL tests: write events as the consumer would, run a pass, read the tables back. */
import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { createPrismaClient } from "../../src/core/db/client";
import type { StoredEvent } from "../../src/core/events";
import { eventLogPath } from "../../src/core/logs/paths";
import { DEFAULT_SITE_ID } from "../../src/core/sites/defaultSite";
import { withEtlLock } from "../../workers/etl/lock";
import { runEtlPass, type EtlPassOptions, type EtlPassResult } from "../../workers/etl/pass";

/** Appends events to their hourly log files, one JSON line each (the consumer's format). */
export async function writeLogEvents(logsDir: string, events: readonly StoredEvent[]): Promise<void> {
  const byFile = new Map<string, string[]>();
  for (const event of events) {
    const file = eventLogPath(logsDir, event.site_id, event.event_time);
    const lines = byFile.get(file) ?? [];
    lines.push(JSON.stringify(event));
    byFile.set(file, lines);
  }
  for (const [file, lines] of byFile) {
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, `${lines.join("\n")}\n`);
  }
}

/** One ETL pass in this process against the given database and logs (waiting for the lock, as `npm run etl` does). */
export async function runPass(
  databaseUrl: string,
  logsDir: string,
  options: Pick<EtlPassOptions, "rebuild" | "factBatchSessions"> = {},
): Promise<EtlPassResult> {
  const prisma = createPrismaClient(databaseUrl);
  try {
    return (await withEtlLock(databaseUrl, { wait: true }, (db) => runEtlPass({ prisma, db, logsDir, trigger: "cli", ...options })))!;
  } finally {
    await prisma.$disconnect();
  }
}

export type Row = Record<string, string | number | null>;

/** The three metric tables of one site (the default site unless named) as plain rows (numbers as numbers), in a stable order. */
export async function readDailyTables(
  databaseUrl: string,
  siteId = DEFAULT_SITE_ID,
): Promise<{
  session_metrics: Row[];
  page_engagement: Row[];
  click_through_rates: Row[];
}> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const rows = async (sql: string): Promise<Row[]> =>
    (await client.query(sql, [siteId])).rows.map((r: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          v === null ? null : k === "date" || k === "page_path" || k === "button_id" ? String(v) : Number(v),
        ]),
      ),
    );
  try {
    return {
      session_metrics: await rows(`SELECT to_char(date, 'YYYY-MM-DD') AS date, total_sessions, unique_users, avg_duration_seconds,
          avg_page_views, total_page_views, bounce_rate FROM session_metrics WHERE site_id = $1 ORDER BY date`),
      page_engagement: await rows(`SELECT to_char(date, 'YYYY-MM-DD') AS date, page_path, total_visits, unique_users,
          total_time_spent_seconds, avg_time_spent_seconds FROM page_engagement WHERE site_id = $1 ORDER BY date, page_path`),
      click_through_rates: await rows(`SELECT to_char(date, 'YYYY-MM-DD') AS date, page_path, button_id, clicks, views, ctr
          FROM click_through_rates WHERE site_id = $1 ORDER BY date, page_path, button_id`),
    };
  } finally {
    await client.end();
  }
}

let counter = 0;
/** A readable, unique UUID for fixture events. */
export function fixtureUuid(): string {
  counter++;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`;
}

/** A stored event at an ISO time, with a fresh event_id unless one is given. */
export function storedEvent(
  event_time: string,
  fields: Omit<StoredEvent, "event_id" | "event_time" | "site_id"> & { event_id?: string; site_id?: string },
): StoredEvent {
  const { event_id, site_id, ...rest } = fields;
  return { site_id: site_id ?? DEFAULT_SITE_ID, ...rest, event_id: event_id ?? fixtureUuid(), event_time };
}
