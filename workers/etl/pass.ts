import type pg from "pg";
import type { PrismaClient } from "../../src/core/db/client";
import { MAX_ID_BYTES } from "../../src/core/events/schema";
import { isStorableId } from "../../src/core/events/text";
import { summarizeSession, type SessionFacts } from "../../src/core/metrics/session";
import type { EtlTrigger } from "../../src/core/queues/etl";
import { cursorFor, fileStates, saveCursors, type FileState, type SavedCursor } from "./files";
import { absolutePath, readLines, readLinesOfSessions, scanSessionIds, SessionEvents } from "./logReader";
import { Quarantine, saveQuarantine, setAsideSessions } from "./quarantine";
import { deleteSessionFacts, factDatesOf, rebuildDailyTables, writeSessionFacts } from "./writeFacts";

const HOUR_MS = 3_600_000;
const ANALYZE_AFTER_ROWS = 10_000;
const DERIVED_TABLES = ["session_facts", "page_visit_facts", "click_facts", "session_metrics", "page_engagement", "click_through_rates"];
const LOOKUP_CHUNK = 50_000;

export type EtlStage = "read" | "written";

export interface EtlPassOptions {
  prisma: PrismaClient;
  /** The connection holding the ETL lock; facts, daily rows and cursors are written through it in one transaction. */
  db: pg.ClientBase;
  logsDir: string;
  trigger: EtlTrigger;
  /** Recompute everything from all logs, replacing every derived table in the same transaction. */
  rebuild?: boolean;
  onProgress?: (stage: EtlStage, detail: Record<string, number>) => void | Promise<void>;
}

export interface EtlPassResult {
  runId: number;
  /** Files with new bytes read. */
  filesRead: number;
  /** Files whose already processed part was read again for the earlier events of returning sessions. */
  filesReread: number;
  eventsRead: number;
  /** Lines, sessions and files this pass set aside (see etl_quarantine), by kind. */
  quarantined: { lines: number; sessions: number; files: number };
  /** Valid lines of sessions set aside by an earlier pass. */
  skippedLines: number;
  sessionsRecomputed: number;
  daysRecomputed: number;
  rowsWritten: number;
  durationMs: number;
  /** Milliseconds spent in each stage, for logs and the benchmark. */
  timings: { readMs: number; writeMs: number };
}

/**
 * One incremental ETL pass (the caller holds the ETL lock), docs/etl.md:
 * 1. check each hourly log against its cursor (a replaced or cut file is read again from 0) and
 *    read the bytes appended since the last pass;
 * 2. find the sessions those events belong to and re-read their earlier events from exactly the
 *    hour files that hold them (session_facts.event_hours), however long the session's span;
 * 3. check every line with the event schema: a line that is not a valid event is set aside
 *    (etl_quarantine) with its reason and position, and the pass goes on;
 * 4. recompute those sessions' facts (docs/metrics.md) and the daily tables of every date the old
 *    or new facts touch; a session PostgreSQL refuses is set aside, the rest is written;
 * 5. write facts, daily rows, cursors, quarantine records and the run record in ONE transaction,
 *    so a crash leaves the previous numbers and cursors and the next pass does the work again.
 */
export async function runEtlPass({ prisma, db, logsDir, trigger, rebuild = false, onProgress }: EtlPassOptions): Promise<EtlPassResult> {
  const started = Date.now();
  // A run left "running" by a killed process never finished; say so, now that we hold the lock.
  await prisma.etlRun.updateMany({
    where: { status: "running" },
    data: { status: "failed", finishedAt: new Date(), error: "interrupted: the ETL process stopped mid-pass" },
  });
  const run = await prisma.etlRun.create({ data: { trigger } });
  try {
    const result = await computeAndWrite(db, logsDir, run.id, rebuild, onProgress);
    return { ...result, runId: run.id, durationMs: Date.now() - started };
  } catch (err) {
    await prisma.etlRun.update({
      where: { id: run.id },
      data: { status: "failed", finishedAt: new Date(), error: (err as Error).message.slice(0, 2000) },
    });
    throw err;
  }
}

/** A session seen by an earlier pass: the hour files that hold its events. */
interface KnownSession {
  hours: number[] | null;
  firstHour: number;
  lastHour: number;
}

async function knownSessions(db: pg.ClientBase, sessionIds: string[]): Promise<Map<string, KnownSession>> {
  const known = new Map<string, KnownSession>();
  for (let i = 0; i < sessionIds.length; i += LOOKUP_CHUNK) {
    const { rows } = await db.query<{ session_id: string; first_ms: string; last_ms: string; event_hours: number[] | null }>(
      `SELECT session_id, (extract(epoch FROM start_time) * 1000)::bigint AS first_ms,
              (extract(epoch FROM last_event_at) * 1000)::bigint AS last_ms, event_hours
         FROM session_facts WHERE session_id = ANY($1::text[])`,
      [sessionIds.slice(i, i + LOOKUP_CHUNK)],
    );
    for (const row of rows) {
      known.set(row.session_id, {
        hours: row.event_hours,
        firstHour: Math.floor(Number(row.first_ms) / HOUR_MS),
        lastHour: Math.floor(Number(row.last_ms) / HOUR_MS),
      });
    }
  }
  return known;
}

/** Index of the first file whose hour is at or after `hour` (files are sorted by hour). */
function firstFileFrom(files: readonly FileState[], hour: number): number {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (files[mid]!.hourStart < hour * HOUR_MS) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The files holding a known session's earlier events. */
function filesOf(session: KnownSession, files: readonly FileState[], indexByHour: ReadonlyMap<number, number>): number[] {
  if (session.hours) {
    const out: number[] = [];
    for (const hour of session.hours) {
      const index = indexByHour.get(hour * HOUR_MS);
      if (index !== undefined) out.push(index);
    }
    return out;
  }
  // Rows from before event_hours existed: the files within the span (only files that exist).
  const out: number[] = [];
  for (let i = firstFileFrom(files, session.firstHour); i < files.length && files[i]!.hourStart <= session.lastHour * HOUR_MS; i++)
    out.push(i);
  return out;
}

async function computeAndWrite(
  db: pg.ClientBase,
  logsDir: string,
  runId: number,
  rebuild: boolean,
  onProgress: EtlPassOptions["onProgress"],
): Promise<Omit<EtlPassResult, "runId" | "durationMs">> {
  let mark = Date.now();
  const lap = (): number => {
    const now = Date.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  const quarantine = new Quarantine();
  const { files, notices, vanished } = await fileStates(db, logsDir, rebuild);
  for (const notice of notices) quarantine.file(notice.relPath, notice.reason);
  const setAside = rebuild ? new Set<string>() : await setAsideSessions(db);

  // Scan: which sessions have new events, and the last hour file each appears in, so that
  // a session can be summarized (and its events freed) as soon as that file has been read.
  // Ids no event could have (bad text, too long) are left to the read, which sets their lines aside.
  const newParts = new Map<number, { from: number; to: number }>();
  const lastFile = new Map<string, number>();
  const cursors: SavedCursor[] = [];
  for (const [index, file] of files.entries()) {
    if (file.size === file.done) continue;
    const to = await scanSessionIds(absolutePath(logsDir, file.relPath), file.done, file.size, (sessionId) => {
      if (!setAside.has(sessionId) && isStorableId(sessionId, MAX_ID_BYTES)) lastFile.set(sessionId, index);
    });
    if (to > file.done) newParts.set(index, { from: file.done, to });
    if (to !== file.done) cursors.push(await cursorFor(logsDir, file, to));
  }

  // Sessions seen by earlier passes: their earlier events are in the already read part of
  // the hour files that hold them.
  const known = rebuild ? new Map<string, KnownSession>() : await knownSessions(db, [...lastFile.keys()]);
  const indexByHour = new Map(files.map((f, i) => [f.hourStart, i]));
  const earlierFiles = new Set<number>();
  for (const [sessionId, session] of known) {
    let last = lastFile.get(sessionId) ?? -1;
    for (const index of filesOf(session, files, indexByHour)) {
      earlierFiles.add(index);
      last = Math.max(last, index);
    }
    lastFile.set(sessionId, last);
  }
  const finishingAt = new Map<number, string[]>();
  for (const [sessionId, index] of lastFile) {
    const list = finishingAt.get(index);
    if (list) list.push(sessionId);
    else finishingAt.set(index, [sessionId]);
  }

  // Read in hour order, summarizing each session after the last file that holds its events.
  const events = new SessionEvents(setAside);
  const facts: SessionFacts[] = [];
  let eventsRead = 0;
  let skippedLines = 0;
  const summarize = (sessionId: string): void => {
    const sessionEvents = events.take(sessionId);
    if (sessionEvents) facts.push(summarizeSession(sessionId, sessionEvents));
  };
  for (const [index, file] of files.entries()) {
    const part = newParts.get(index);
    if (!part && !earlierFiles.has(index)) continue;
    const filePath = absolutePath(logsDir, file.relPath);
    if (earlierFiles.has(index) && file.done > 0) {
      // Lines refused when they were first read are refused again here, silently: they are on record.
      await readLinesOfSessions(
        filePath,
        0,
        file.done,
        (sessionId) => known.has(sessionId),
        (line) => events.addLine(line),
      );
    }
    if (part) {
      await readLines(filePath, part.from, part.to, (line, position) => {
        const outcome = line === undefined ? { kind: "refused" as const, reason: "not valid UTF-8" } : events.addLine(line);
        if (outcome.kind === "added") eventsRead++;
        else if (outcome.kind === "skipped") skippedLines++;
        else quarantine.line(file.relPath, position, outcome.reason, line, outcome.sessionId);
      });
    }
    for (const sessionId of finishingAt.get(index) ?? []) summarize(sessionId);
  }
  // A line whose quick session_id read disagreed with its parsed one ends up here.
  for (const sessionId of events.sessionIds()) summarize(sessionId);
  // Rows arriving in primary-key order keep PostgreSQL's index inserts sequential: several times faster.
  facts.sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  const readMs = lap();
  await onProgress?.("read", { filesRead: newParts.size, eventsRead, sessions: facts.length, setAside: quarantine.size, ms: readMs });

  // Only sessions seen by an earlier pass have facts (and dates) to replace.
  const replaced = [...known.keys()];
  const outcome = await inTransaction(db, async () => {
    if (rebuild) await db.query(`TRUNCATE ${DERIVED_TABLES.join(", ")}, etl_file_cursors, etl_quarantine`);
    const dates = new Set(replaced.length > 0 ? await factDatesOf(db, replaced) : []);
    await deleteSessionFacts(db, replaced);
    const written = await writeSessionFacts(db, facts);
    const refused = new Set(written.refused.map((r) => r.sessionId));
    for (const r of written.refused) quarantine.session(r.sessionId, r.reason);
    for (const f of facts) {
      if (refused.has(f.sessionId)) continue;
      dates.add(f.date);
      for (const v of f.visits) dates.add(v.date);
      for (const c of f.clicks) dates.add(c.date);
    }
    const dailyRows = await rebuildDailyTables(db, [...dates]);
    await saveCursors(db, cursors, vanished);
    await saveQuarantine(db, runId, quarantine.records);
    const counts = {
      eventsRead,
      sessionsRecomputed: facts.length - refused.size,
      daysRecomputed: dates.size,
      rowsWritten: written.rows + dailyRows,
      quarantined: quarantine.size,
    };
    await finishRun(db, runId, counts);
    return counts;
  });
  if (rebuild || outcome.rowsWritten >= ANALYZE_AFTER_ROWS) {
    // Fresh statistics after a bulk load, or the planner guesses row counts from before it.
    await db.query(`ANALYZE ${DERIVED_TABLES.join(", ")}`);
  }
  const writeMs = lap();
  await onProgress?.("written", { rows: outcome.rowsWritten, ms: writeMs });
  return {
    filesRead: newParts.size,
    filesReread: [...earlierFiles].filter((i) => files[i]!.done > 0).length,
    eventsRead,
    quarantined: { lines: quarantine.count("line"), sessions: quarantine.count("session"), files: quarantine.count("file") },
    skippedLines,
    sessionsRecomputed: outcome.sessionsRecomputed,
    daysRecomputed: outcome.daysRecomputed,
    rowsWritten: outcome.rowsWritten,
    timings: { readMs, writeMs },
  };
}

async function inTransaction<T>(db: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await db.query("BEGIN");
  try {
    const result = await work();
    await db.query("COMMIT");
    return result;
  } catch (err) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

async function finishRun(
  db: pg.ClientBase,
  runId: number,
  counts: { eventsRead: number; sessionsRecomputed: number; daysRecomputed: number; rowsWritten: number; quarantined: number },
): Promise<void> {
  await db.query(
    `UPDATE etl_runs SET status = 'succeeded', finished_at = now(), events_read = $2, sessions_recomputed = $3,
       days_recomputed = $4, rows_written = $5, quarantined = $6 WHERE id = $1`,
    [runId, counts.eventsRead, counts.sessionsRecomputed, counts.daysRecomputed, counts.rowsWritten, counts.quarantined],
  );
}
