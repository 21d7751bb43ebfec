import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";
import type pg from "pg";
import { listEventHourFiles, type HourFile } from "../../src/core/logs/paths";
import { DEFAULT_SITE_ID } from "../../src/core/sites/defaultSite";
import { absolutePath } from "./logReader";

/**
 * The ETL's view of each hourly events file: how far earlier passes read it, and whether it is
 * still the file they read (docs/etl.md, "When a log file changes behind the ETL"). A file that
 * was replaced, cut shorter or rewritten is reported and read again from its start, never from
 * the middle of what is now different content.
 */

/** How much of a file's start is fingerprinted. */
const HEAD_BYTES = 4096;

export interface FileState extends HourFile {
  size: number;
  inode: string;
  mtimeMs: number;
  /** Bytes already processed by earlier passes (0 when the file is new or was replaced). */
  done: number;
}

export interface FileNotice {
  siteId: string;
  relPath: string;
  reason: string;
}

/** The site a cursor's path belongs to: events/<site>/… or, from before sites, events/YYYY-MM-DD/… (the default site). */
function siteOfPath(relPath: string): string {
  const part = relPath.split("/")[1] ?? "";
  return part.length === 36 ? part : DEFAULT_SITE_ID;
}

export interface SavedCursor {
  relPath: string;
  bytes: number;
  inode: string;
  mtimeMs: number;
  headHash: string;
  headBytes: number;
}

interface CursorRow {
  path: string;
  bytes: string;
  inode: string | null;
  mtime_ms: string | null;
  head_hash: string | null;
  head_bytes: number | null;
}

/** Synchronous for the reason readChunks in ./logReader.ts gives. */
function readHead(file: string, length: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(length);
    const bytesRead = readSync(fd, buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}

const sha256 = (buf: Buffer): string => createHash("sha256").update(buf).digest("hex");

/** Why a file no longer matches its cursor, or undefined when it only grew (or did not change). */
async function changeBehindCursor(
  file: string,
  state: { size: number; inode: string; mtimeMs: number },
  cursor: CursorRow,
): Promise<string | undefined> {
  const done = Number(cursor.bytes);
  if (cursor.inode !== null && cursor.inode !== state.inode) return "the file was replaced by another one (new inode)";
  if (state.size < done) return `the file shrank from ${done} to ${state.size} bytes`;
  const unchanged = state.size === done && cursor.mtime_ms !== null && Number(cursor.mtime_ms) === state.mtimeMs;
  if (unchanged || cursor.head_hash === null || cursor.head_bytes === null) return undefined;
  const head = readHead(file, cursor.head_bytes);
  if (head.length < cursor.head_bytes || sha256(head) !== cursor.head_hash) return "the file's first bytes changed (it was rewritten)";
  return undefined;
}

/**
 * Every hourly events file of the given sites with the part earlier passes read, plus notices for
 * files that changed behind their cursor (read again from 0) and for cursors whose file is gone.
 * Files of sites in `fromStart` (a rebuild, or a site whose dates are recomputed) are read whole.
 */
export async function fileStates(
  db: pg.ClientBase,
  logsDir: string,
  sites: ReadonlySet<string>,
  fromStart: ReadonlySet<string>,
  rebuild: boolean,
): Promise<{ files: FileState[]; notices: FileNotice[]; vanished: string[] }> {
  const [files, cursorRows] = await Promise.all([
    listEventHourFiles(logsDir, sites),
    rebuild
      ? Promise.resolve([])
      : db.query<CursorRow>("SELECT path, bytes, inode, mtime_ms, head_hash, head_bytes FROM etl_file_cursors").then((r) => r.rows),
  ]);
  const cursors = new Map(cursorRows.map((c) => [c.path, c]));
  const notices: FileNotice[] = [];
  const states = await Promise.all(
    files.map(async (file): Promise<FileState> => {
      const info = await stat(absolutePath(logsDir, file.relPath), { bigint: true });
      const state = { ...file, size: Number(info.size), inode: String(info.ino), mtimeMs: Number(info.mtimeMs), done: 0 };
      const cursor = cursors.get(file.relPath);
      if (!cursor || fromStart.has(file.siteId)) return state;
      const change = await changeBehindCursor(absolutePath(logsDir, file.relPath), state, cursor);
      if (change) {
        notices.push({
          siteId: file.siteId,
          relPath: file.relPath,
          reason: `${change}; read again from its start. Events that were only in the old content stay counted until \`npm run etl -- --rebuild\``,
        });
        return state;
      }
      return { ...state, done: Number(cursor.bytes) };
    }),
  );
  const present = new Set(files.map((f) => f.relPath));
  // Cursors of deleted sites are not notices: their rows went with the site.
  const vanished = [...cursors.keys()].filter((p) => !present.has(p) && sites.has(siteOfPath(p)));
  for (const relPath of vanished) {
    notices.push({
      siteId: siteOfPath(relPath),
      relPath,
      reason: "the file was deleted; its events stay counted until `npm run etl -- --rebuild`",
    });
  }
  return { files: states, notices, vanished };
}

/** The cursor to save for a file read up to `bytes`, with the fingerprint of its start. */
export async function cursorFor(logsDir: string, file: FileState, bytes: number): Promise<SavedCursor> {
  const head = readHead(absolutePath(logsDir, file.relPath), Math.min(HEAD_BYTES, bytes));
  return { relPath: file.relPath, bytes, inode: file.inode, mtimeMs: file.mtimeMs, headHash: sha256(head), headBytes: head.length };
}

export async function saveCursors(db: pg.ClientBase, cursors: readonly SavedCursor[], vanished: readonly string[]): Promise<void> {
  if (vanished.length > 0) await db.query("DELETE FROM etl_file_cursors WHERE path = ANY($1::text[])", [vanished]);
  if (cursors.length === 0) return;
  await db.query(
    `INSERT INTO etl_file_cursors (path, bytes, inode, mtime_ms, head_hash, head_bytes, updated_at)
     SELECT * , now() FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::int[])
     ON CONFLICT (path) DO UPDATE SET bytes = EXCLUDED.bytes, inode = EXCLUDED.inode, mtime_ms = EXCLUDED.mtime_ms,
       head_hash = EXCLUDED.head_hash, head_bytes = EXCLUDED.head_bytes, updated_at = now()`,
    [
      cursors.map((c) => c.relPath),
      cursors.map((c) => c.bytes),
      cursors.map((c) => c.inode),
      cursors.map((c) => Math.trunc(c.mtimeMs)),
      cursors.map((c) => c.headHash),
      cursors.map((c) => c.headBytes),
    ],
  );
}
