import { stat } from "node:fs/promises";
import type pg from "pg";
import type { PrismaClient } from "../../src/core/db/client";
import { listEventHourFiles, type HourFile } from "../../src/core/logs/paths";
import { summarizeSession, type SessionFacts } from "../../src/core/metrics/session";
import type { EtlTrigger } from "../../src/core/queues/etl";
import { absolutePath, readLines, readLinesOfSessions, scanSessionIds, SessionEvents } from "./logReader";
import { factDatesOf, rebuildDailyTables, replaceSessionFacts, saveCursors } from "./writeFacts";

const HOUR_MS = 3_600_000;
const ANALYZE_AFTER_ROWS = 10_000;
const DERIVED_TABLES = ["session_facts", "page_visit_facts", "click_facts", "session_metrics", "page_engagement", "click_through_rates"];

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
  filesRead: number;
  eventsRead: number;
  malformedLines: number;
  sessionsRecomputed: number;
  daysRecomputed: number;
  rowsWritten: number;
  durationMs: number;
  /** Milliseconds spent in each stage, for logs and the benchmark. */
  timings: { readMs: number; writeMs: number };
}

interface FileState extends HourFile {
  size: number;
  /** Bytes already processed by earlier passes. */
  done: number;
}

/**
 * One incremental ETL pass (the caller holds the ETL lock):
 * 1. read the bytes appended to each hourly log since the last pass;
 * 2. find the sessions those events belong to and re-read their earlier events, using the
 *    time span recorded in session_facts to know which hour files hold them;
 * 3. recompute those sessions' facts (SPEC §4) and the daily tables of every date the old
 *    or new facts touch;
 * 4. write facts, daily rows and the new file cursors in ONE transaction, so a crash leaves
 *    the previous numbers and cursors in place and the next pass does the work again.
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
    const result = await computeAndWrite(prisma, db, logsDir, run.id, rebuild, onProgress);
    return { ...result, runId: run.id, durationMs: Date.now() - started };
  } catch (err) {
    await prisma.etlRun.update({
      where: { id: run.id },
      data: { status: "failed", finishedAt: new Date(), error: (err as Error).message.slice(0, 2000) },
    });
    throw err;
  }
}

async function fileStates(prisma: PrismaClient, logsDir: string, rebuild: boolean): Promise<FileState[]> {
  const [files, cursors] = await Promise.all([listEventHourFiles(logsDir), rebuild ? [] : prisma.etlFileCursor.findMany()]);
  const done = new Map(cursors.map((c) => [c.path, Number(c.bytes)]));
  return Promise.all(
    files.map(async (file) => ({
      ...file,
      size: (await stat(absolutePath(logsDir, file.relPath))).size,
      done: done.get(file.relPath) ?? 0,
    })),
  );
}

async function computeAndWrite(
  prisma: PrismaClient,
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
  const files = await fileStates(prisma, logsDir, rebuild);

  // Scan: which sessions have new events, and the last hour file each appears in, so that
  // a session can be summarized (and its events freed) as soon as that file has been read.
  const newParts = new Map<number, { from: number; to: number }>();
  const lastFile = new Map<string, number>();
  const newCursors = new Map<string, number>();
  for (const [index, file] of files.entries()) {
    // A file shorter than its cursor was replaced; reading it again is safe because
    // events are deduplicated by event_id within their session.
    const from = file.size < file.done ? 0 : file.done;
    if (file.size === from) continue;
    const to = await scanSessionIds(absolutePath(logsDir, file.relPath), from, file.size, (sessionId) => {
      lastFile.set(sessionId, index);
    });
    if (to > from) newParts.set(index, { from, to });
    if (to !== file.done) newCursors.set(file.relPath, to);
  }

  // Sessions seen by earlier passes: their earlier events are in the already read part of
  // the hour files their recorded span covers.
  const known = rebuild ? new Map<string, [number, number]>() : await knownSessionSpans(prisma, [...lastFile.keys()]);
  const fileIndexByHour = new Map(files.map((f, i) => [f.hourStart, i]));
  const earlierFiles = new Set<number>();
  for (const [sessionId, [firstHour, lastHour]] of known) {
    let last = lastFile.get(sessionId) ?? -1;
    for (let h = firstHour; h <= lastHour; h += HOUR_MS) {
      const index = fileIndexByHour.get(h);
      if (index === undefined) continue;
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
  const events = new SessionEvents();
  const facts: SessionFacts[] = [];
  let eventsRead = 0;
  let malformedLines = 0;
  const summarize = (sessionId: string): void => {
    const sessionEvents = events.take(sessionId);
    if (sessionEvents) facts.push(summarizeSession(sessionId, sessionEvents));
  };
  for (const [index, file] of files.entries()) {
    const part = newParts.get(index);
    if (!part && !earlierFiles.has(index)) continue;
    const filePath = absolutePath(logsDir, file.relPath);
    if (earlierFiles.has(index) && file.done > 0 && file.size >= file.done) {
      await readLinesOfSessions(filePath, 0, file.done, (sessionId) => known.has(sessionId), (line) => events.addLine(line));
    }
    if (part) {
      await readLines(filePath, part.from, part.to, (line) => {
        if (events.addLine(line)) eventsRead++;
        else malformedLines++;
      });
    }
    for (const sessionId of finishingAt.get(index) ?? []) summarize(sessionId);
  }
  // A line whose quick session_id read disagreed with its parsed one ends up here.
  for (const sessionId of events.sessionIds()) summarize(sessionId);
  // Rows arriving in primary-key order keep PostgreSQL's index inserts sequential: several times faster.
  facts.sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  const readMs = lap();
  await onProgress?.("read", { filesRead: newParts.size, eventsRead, sessions: facts.length, ms: readMs });

  // Only sessions seen by an earlier pass have facts (and dates) to replace.
  const replaced = [...known.keys()];
  const outcome = await inTransaction(db, async () => {
    if (rebuild) await db.query(`TRUNCATE ${DERIVED_TABLES.join(", ")}, etl_file_cursors`);
    const dates = new Set(replaced.length > 0 ? await factDatesOf(db, replaced) : []);
    for (const f of facts) {
      dates.add(f.date);
      for (const v of f.visits) dates.add(v.date);
      for (const c of f.clicks) dates.add(c.date);
    }
    const factRows = await replaceSessionFacts(db, replaced, facts);
    const dailyRows = await rebuildDailyTables(db, [...dates]);
    await saveCursors(db, newCursors);
    const counts = {
      eventsRead,
      sessionsRecomputed: facts.length,
      daysRecomputed: dates.size,
      rowsWritten: factRows + dailyRows,
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
  return { filesRead: newParts.size, malformedLines, ...outcome, timings: { readMs, writeMs } };
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
  counts: { eventsRead: number; sessionsRecomputed: number; daysRecomputed: number; rowsWritten: number },
): Promise<void> {
  await db.query(
    `UPDATE etl_runs SET status = 'succeeded', finished_at = now(), events_read = $2, sessions_recomputed = $3,
       days_recomputed = $4, rows_written = $5 WHERE id = $1`,
    [runId, counts.eventsRead, counts.sessionsRecomputed, counts.daysRecomputed, counts.rowsWritten],
  );
}

/** session_id -> [first hour, last hour] (ms) of its already processed events. */
async function knownSessionSpans(prisma: PrismaClient, sessionIds: string[]): Promise<Map<string, [number, number]>> {
  const spans = new Map<string, [number, number]>();
  for (let i = 0; i < sessionIds.length; i += 20_000) {
    const ids = sessionIds.slice(i, i + 20_000);
    const rows = await prisma.sessionFact.findMany({
      where: { sessionId: { in: ids } },
      select: { sessionId: true, startTime: true, lastEventAt: true },
    });
    for (const row of rows) {
      spans.set(row.sessionId, [
        Math.floor(row.startTime.getTime() / HOUR_MS) * HOUR_MS,
        Math.floor(row.lastEventAt.getTime() / HOUR_MS) * HOUR_MS,
      ]);
    }
  }
  return spans;
}
