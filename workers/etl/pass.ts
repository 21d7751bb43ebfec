import { hostname } from "node:os";
import type pg from "pg";
import type { PrismaClient } from "../../src/core/db/client";
import { MAX_ID_BYTES } from "../../src/core/events/schema";
import { isStorableId } from "../../src/core/events/text";
import { dateIn, type DateOf } from "../../src/core/metrics/dates";
import { shardOfSite, type EtlShard, type EtlTrigger } from "../../src/core/queues/etl";
import { factChangesSql } from "../../src/core/store/versions";
import { cursorFor, fileStates, saveCursors, type FileState, type SavedCursor } from "./files";
import { FactWriter } from "./factWriter";
import { absolutePath, scanSessionIds, sessionKey, splitSessionKey } from "./logReader";
import { readSessions } from "./readSessions";
import { Quarantine, saveQuarantine, setAsideSessions } from "./quarantine";
import { deleteSessionFacts, deleteSitesRows, factDatesOf, rebuildDailyTables, type SessionPairs } from "./writeFacts";

const HOUR_MS = 3_600_000;
const ANALYZE_AFTER_ROWS = 10_000;
const DERIVED_TABLES = [
  "session_facts",
  "page_visit_facts",
  "click_facts",
  "event_facts",
  "session_metrics",
  "page_engagement",
  "click_through_rates",
];
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
  /** Only the sites of this shard (the caller holds its lock); absent: every site (the caller holds every shard's lock). */
  shard?: EtlShard;
  onProgress?: (stage: EtlStage, detail: Record<string, number>) => void | Promise<void>;
  /** Sessions per COPY while reading (factWriter.ts); tests set it low to write in many batches. */
  factBatchSessions?: number;
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
  /** Sites whose dates were recomputed from all their logs (their time zone changed). */
  sitesRecomputed: number;
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
export async function runEtlPass({
  prisma,
  db,
  logsDir,
  trigger,
  rebuild = false,
  shard,
  onProgress,
  factBatchSessions,
}: EtlPassOptions): Promise<EtlPassResult> {
  const started = Date.now();
  if (rebuild && shard) throw new Error("a rebuild replaces every table: it runs over all sites, not one shard");
  // A run left "running" by a killed process never finished; say so, now that we hold the lock.
  // A shard's lock rules out passes of that shard and passes over all sites (they hold every lock).
  await prisma.etlRun.updateMany({
    where: shard ? { status: "running", OR: [{ shard: shard.index }, { shard: null }] } : { status: "running" },
    data: { status: "failed", finishedAt: new Date(), error: "interrupted: the ETL process stopped mid-pass" },
  });
  const run = await prisma.etlRun.create({ data: { trigger, shard: shard?.index ?? null, worker: `${hostname()}/${process.pid}` } });
  try {
    const result = await computeAndWrite(db, logsDir, run.id, { rebuild, shard, onProgress, factBatchSessions });
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

/** What the pass needs of each site: its date function, and whether its dates are being recomputed. */
interface SiteState {
  dateOf: DateOf;
  /** recompute_requested_at as read, so a newer request made during the pass is not cleared. */
  recomputeRequestedAt: Date | null;
}

/** The sites the pass covers: every site, or one shard's (src/core/queues/etl.ts, shardOfSite). */
async function siteStates(db: pg.ClientBase, shard: EtlShard | undefined): Promise<Map<string, SiteState>> {
  const { rows } = await db.query<{ id: string; time_zone: string; recompute_requested_at: Date | null }>(
    "SELECT id, time_zone, recompute_requested_at FROM sites",
  );
  const covered = shard ? rows.filter((r) => shardOfSite(r.id, shard.count) === shard.index) : rows;
  return new Map(covered.map((r) => [r.id, { dateOf: dateIn(r.time_zone), recomputeRequestedAt: r.recompute_requested_at }]));
}

async function knownSessions(db: pg.ClientBase, keys: string[]): Promise<Map<string, KnownSession>> {
  const known = new Map<string, KnownSession>();
  for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
    const pairs = keys.slice(i, i + LOOKUP_CHUNK).map(splitSessionKey);
    const { rows } = await db.query<{
      site_id: string;
      session_id: string;
      first_ms: string;
      last_ms: string;
      event_hours: number[] | null;
    }>(
      `SELECT f.site_id, f.session_id, (extract(epoch FROM f.start_time) * 1000)::bigint AS first_ms,
              (extract(epoch FROM f.last_event_at) * 1000)::bigint AS last_ms, f.event_hours
         FROM session_facts f JOIN unnest($1::uuid[], $2::text[]) AS k(site_id, session_id) USING (site_id, session_id)`,
      [pairs.map((p) => p.siteId), pairs.map((p) => p.sessionId)],
    );
    for (const row of rows) {
      known.set(sessionKey(row.site_id, row.session_id), {
        hours: row.event_hours,
        firstHour: Math.floor(Number(row.first_ms) / HOUR_MS),
        lastHour: Math.floor(Number(row.last_ms) / HOUR_MS),
      });
    }
  }
  return known;
}

/** Where the files of each site and hour are (the default site may have two per hour: its old layout and its folder). */
class FileIndex {
  private readonly byHour = new Map<string, number[]>();
  private readonly bySite = new Map<string, number[]>();

  constructor(private readonly files: readonly FileState[]) {
    for (const [i, f] of files.entries()) {
      push(this.byHour, `${f.siteId}:${f.hourStart}`, i);
      push(this.bySite, f.siteId, i);
    }
    for (const list of this.bySite.values()) list.sort((a, b) => files[a]!.hourStart - files[b]!.hourStart);
  }

  /** The files holding a known session's earlier events. */
  of(siteId: string, session: KnownSession): number[] {
    if (session.hours) return session.hours.flatMap((hour) => this.byHour.get(`${siteId}:${hour * HOUR_MS}`) ?? []);
    // Rows from before event_hours existed: the site's files within the span (only files that exist).
    const list = this.bySite.get(siteId) ?? [];
    const from = session.firstHour * HOUR_MS;
    const to = session.lastHour * HOUR_MS;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.files[list[mid]!]!.hourStart < from) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < list.length && this.files[list[i]!]!.hourStart <= to; i++) out.push(list[i]!);
    return out;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

async function computeAndWrite(
  db: pg.ClientBase,
  logsDir: string,
  runId: number,
  { rebuild = false, shard, onProgress, factBatchSessions }: Pick<EtlPassOptions, "rebuild" | "shard" | "onProgress" | "factBatchSessions">,
): Promise<Omit<EtlPassResult, "runId" | "durationMs">> {
  let mark = Date.now();
  const lap = (): number => {
    const now = Date.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  const quarantine = new Quarantine();
  const sites = await siteStates(db, shard);
  // Sites read from their first byte: all of them on a rebuild, else those whose time zone changed.
  const fromStart = new Set([...sites].filter(([, s]) => rebuild || s.recomputeRequestedAt !== null).map(([id]) => id));
  const { files, notices, vanished } = await fileStates(db, logsDir, new Set(sites.keys()), fromStart, rebuild);
  for (const notice of notices) quarantine.file(notice.siteId, notice.relPath, notice.reason);
  const setAside = rebuild ? new Set<string>() : await setAsideSessions(db);

  // Scan: which sessions have new events, and the last hour file each appears in, so that
  // a session can be summarized (and its events freed) as soon as that file has been read.
  // Ids no event could have (bad text, too long) are left to the read, which sets their lines aside.
  const newParts = new Map<number, { from: number; to: number }>();
  const cursors: SavedCursor[] = [];
  // By site, then by the bare id: a line costs one lookup of a string already hashed, not a new key.
  const lastFileOfSite = new Map<string, Map<string, number>>();
  for (const [index, file] of files.entries()) {
    if (file.size === file.done) continue;
    let seen = lastFileOfSite.get(file.siteId);
    if (!seen) lastFileOfSite.set(file.siteId, (seen = new Map()));
    const to = await scanSessionIds(absolutePath(logsDir, file.relPath), file.done, file.size, (sessionId) => seen.set(sessionId, index));
    if (to > file.done) newParts.set(index, { from: file.done, to });
    if (to !== file.done) cursors.push(await cursorFor(logsDir, file, to));
  }
  const lastFile = new Map<string, number>();
  for (const [siteId, seen] of lastFileOfSite) {
    for (const [sessionId, index] of seen) {
      if (!isStorableId(sessionId, MAX_ID_BYTES)) continue;
      const key = sessionKey(siteId, sessionId);
      if (!setAside.has(key)) lastFile.set(key, index);
    }
  }
  lastFileOfSite.clear();

  // Sessions seen by earlier passes: their earlier events are in the already read part of
  // the hour files that hold them. (Sites read from the start have none: all their rows go.)
  const candidates = [...lastFile.keys()].filter((key) => !fromStart.has(splitSessionKey(key).siteId));
  const known = await knownSessions(db, candidates);
  const index = new FileIndex(files);
  const earlierFiles = new Set<number>();
  for (const [key, session] of known) {
    let last = lastFile.get(key) ?? -1;
    for (const i of index.of(splitSessionKey(key).siteId, session)) {
      earlierFiles.add(i);
      last = Math.max(last, i);
    }
    lastFile.set(key, last);
  }
  const finishingAt = new Map<number, string[]>();
  for (const [key, i] of lastFile) push(finishingAt, i, key);
  lastFile.clear();

  // Only sessions seen by an earlier pass have facts (and dates) to replace.
  const replaced = toPairs([...known.keys()]);
  const recomputed = [...fromStart];
  let readMs = 0;
  let counts = { eventsRead: 0, skippedLines: 0 };
  const outcome = await inTransaction(db, async () => {
    // The old rows go first, so the new facts can be written while the logs are still being read.
    // (TRUNCATE locks out readers until the commit: the cursors and quarantine, which health and
    // the dashboard read, are emptied only once the reading is done.)
    if (rebuild) await db.query(`TRUNCATE ${DERIVED_TABLES.join(", ")}`);
    else await deleteSitesRows(db, recomputed);
    const oldDates = replaced.siteIds.length > 0 ? await factDatesOf(db, replaced) : [];
    await deleteSessionFacts(db, replaced);

    const writer = new FactWriter(db, factBatchSessions);
    counts = await readSessions({ files, logsDir, newParts, earlierFiles, known, finishingAt, setAside, sites, quarantine, writer });
    readMs = lap();
    const read = { filesRead: newParts.size, eventsRead: counts.eventsRead, sessions: writer.count, ms: readMs };
    await onProgress?.("read", { ...read, setAside: quarantine.size });
    await writer.finish();

    for (const d of oldDates) writer.addDate(d.siteId, d.date);
    const dates = writer.dates;
    for (const r of writer.refused) quarantine.session(r.siteId, r.sessionId, r.reason);
    const pairs = [...dates.values()];
    const dailyRows = await rebuildDailyTables(db, { siteIds: pairs.map((p) => p.siteId), dates: pairs.map((p) => p.date) });
    if (rebuild) await db.query("TRUNCATE etl_file_cursors, etl_quarantine");
    await saveCursors(db, cursors, vanished);
    await saveQuarantine(db, runId, quarantine.records);
    for (const siteId of recomputed) {
      // Only the request this pass saw: a zone changed again meanwhile asks for another recompute.
      await db.query("UPDATE sites SET recompute_requested_at = NULL WHERE id = $1 AND recompute_requested_at IS NOT DISTINCT FROM $2", [
        siteId,
        sites.get(siteId)!.recomputeRequestedAt,
      ]);
    }
    const result = {
      eventsRead: counts.eventsRead,
      sessionsRecomputed: writer.count - writer.refused.length,
      daysRecomputed: dates.size,
      rowsWritten: writer.rows + dailyRows,
      quarantined: quarantine.size,
    };
    await finishRun(db, runId, result);
    // Last, so the data_version row lock is held only for the commit (src/core/store/versions.ts).
    // The sessions too (the replaced ones, then the new), so a copy can reload just those after a
    // small pass; after a bigger one (the writer stopped listing) copies reload by the pairs.
    const listed = writer.listed;
    let sessions: SessionPairs | undefined;
    if (listed) {
      sessions = { siteIds: [...replaced.siteIds], sessionIds: [...replaced.sessionIds] };
      for (const [i, siteId] of listed.siteIds.entries()) {
        const sessionId = listed.sessionIds[i]!;
        if (known.has(sessionKey(siteId, sessionId))) continue;
        sessions.siteIds.push(siteId);
        sessions.sessionIds.push(sessionId);
      }
    }
    const changes = factChangesSql({ pairs, sites: rebuild ? [...sites.keys()] : recomputed, sessions });
    if (changes) await db.query(changes.text, changes.values);
    return result;
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
    eventsRead: counts.eventsRead,
    quarantined: { lines: quarantine.count("line"), sessions: quarantine.count("session"), files: quarantine.count("file") },
    skippedLines: counts.skippedLines,
    sitesRecomputed: rebuild ? 0 : recomputed.length,
    sessionsRecomputed: outcome.sessionsRecomputed,
    daysRecomputed: outcome.daysRecomputed,
    rowsWritten: outcome.rowsWritten,
    timings: { readMs, writeMs },
  };
}

function toPairs(keys: string[]): SessionPairs {
  const pairs = keys.map(splitSessionKey);
  return { siteIds: pairs.map((p) => p.siteId), sessionIds: pairs.map((p) => p.sessionId) };
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
