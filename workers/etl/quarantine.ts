import type pg from "pg";
import { visibleText } from "../../src/core/events/text";
import { sessionKey, type LinePosition } from "./logReader";

/**
 * What a pass sets aside instead of stopping (docs/etl.md, "Quarantine"): log lines that are not
 * valid events, sessions PostgreSQL refused, and files that changed behind the ETL's back. The
 * records are written in the pass's own transaction, so a pass that rolls back leaves none and
 * the pass that redoes the work writes them once. Lines stay in the log file untouched: the raw
 * log is the user's; the record says where to find each one.
 */

const EXCERPT_CHARS = 200;
const REASON_CHARS = 1000;

export type QuarantineKind = "line" | "session" | "file";

export interface QuarantineRecord {
  kind: QuarantineKind;
  /** The site whose folder held it (null for a file outside every site's folder). */
  siteId: string | null;
  relPath: string;
  offset: number;
  bytes: number;
  /** JSON string literal of the session id, so an id with any characters can be stored and shown. */
  sessionKey: string | null;
  reason: string;
  excerpt: string;
}

/** The start of a line, with NUL, control characters and lone surrogates shown as \uXXXX escapes. */
export function excerptOf(line: string | undefined): string {
  if (line === undefined) return "";
  return visibleText(line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line);
}

const reasonOf = (reason: string): string => visibleText(reason.slice(0, REASON_CHARS));

export function sessionKeyOf(sessionId: string): string {
  return JSON.stringify(sessionId);
}

export class Quarantine {
  readonly records: QuarantineRecord[] = [];

  line(siteId: string, relPath: string, position: LinePosition, reason: string, line: string | undefined, sessionId?: string): void {
    this.records.push({
      kind: "line",
      siteId,
      relPath,
      offset: position.offset,
      bytes: position.bytes,
      sessionKey: sessionId === undefined ? null : sessionKeyOf(sessionId),
      reason: reasonOf(reason),
      excerpt: excerptOf(line),
    });
  }

  session(siteId: string, sessionId: string, reason: string): void {
    this.records.push({
      kind: "session",
      siteId,
      relPath: "",
      offset: 0,
      bytes: 0,
      sessionKey: sessionKeyOf(sessionId),
      reason: reasonOf(reason),
      excerpt: "",
    });
  }

  file(siteId: string | null, relPath: string, reason: string): void {
    this.records.push({ kind: "file", siteId, relPath, offset: 0, bytes: 0, sessionKey: null, reason: reasonOf(reason), excerpt: "" });
  }

  get size(): number {
    return this.records.length;
  }

  count(kind: QuarantineKind): number {
    return this.records.filter((r) => r.kind === kind).length;
  }
}

/** Sessions (by sessionKey) set aside by earlier passes: their later lines are skipped, not counted half. */
export async function setAsideSessions(db: pg.ClientBase): Promise<Set<string>> {
  const { rows } = await db.query<{ site_id: string; session_key: string }>(
    "SELECT DISTINCT site_id, session_key FROM etl_quarantine WHERE kind = 'session' AND site_id IS NOT NULL",
  );
  return new Set(rows.map((r) => sessionKey(r.site_id, JSON.parse(r.session_key) as string)));
}

export async function saveQuarantine(db: pg.ClientBase, runId: number, records: readonly QuarantineRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.query(
    `INSERT INTO etl_quarantine (run_id, site_id, kind, file, byte_offset, line_bytes, session_key, reason, excerpt)
     SELECT $1, site, k::"EtlQuarantineKind", f, o, b, s, r, e
     FROM unnest($9::uuid[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::text[], $8::text[]) AS t(site, k, f, o, b, s, r, e)`,
    [
      runId,
      records.map((r) => r.kind),
      records.map((r) => r.relPath),
      records.map((r) => r.offset),
      records.map((r) => r.bytes),
      records.map((r) => r.sessionKey),
      records.map((r) => r.reason),
      records.map((r) => r.excerpt),
      records.map((r) => r.siteId),
    ],
  );
}
