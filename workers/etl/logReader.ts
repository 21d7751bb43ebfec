import { isUtf8 } from "node:buffer";
import { closeSync, openSync, readSync } from "node:fs";
import path from "node:path";
import { describeIssues } from "../../src/core/events/normalize";
import { storedEventSchema } from "../../src/core/events/schema";
import type { EventDims } from "../../src/core/dimensions/registry";
import type { MetricEvent } from "../../src/core/metrics/session";

const CHUNK_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

/** What became of one log line. */
export type LineOutcome =
  | { kind: "added" }
  /** A valid line of a session the ETL set aside earlier (see etl_quarantine). */
  | { kind: "skipped" }
  | { kind: "refused"; reason: string; sessionId?: string };

/**
 * The key of a session across sites: the same session_id on two sites is two sessions. Site ids
 * are UUIDs (36 characters), so the key is unambiguous without escaping.
 */
export function sessionKey(siteId: string, sessionId: string): string {
  return `${siteId}:${sessionId}`;
}

export function splitSessionKey(key: string): { siteId: string; sessionId: string } {
  return { siteId: key.slice(0, 36), sessionId: key.slice(37) };
}

/**
 * Events of the sessions being recomputed, grouped by site and session_id. Every line is checked with
 * the same schema the API and the consumer use (src/core/events/schema.ts), so a line that
 * reached the logs some other way (by hand, an old version, a bad disk) is refused here with its
 * reason instead of reaching PostgreSQL. A session's events are dropped as soon as it is
 * summarized. Their strings are not interned: since the pass writes facts in batches while it
 * reads (factWriter.ts), few are held at once, and the lookups cost 9% of a pass's CPU (bench:etl,
 * docs/etl.md) for 25 MB less peak memory.
 */
export class SessionEvents {
  private readonly bySession = new Map<string, MetricEvent[]>();

  constructor(private readonly setAside: ReadonlySet<string> = new Set()) {}

  /**
   * Parses and checks one log line of a site's file and keeps its event. A line must name the site
   * of its folder; lines of files from before sites existed (`legacy`) name none.
   */
  addLine(line: string, siteId: string, legacy = false): LineOutcome {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      return { kind: "refused", reason: `not JSON: ${(err as Error).message}` };
    }
    const rawId = typeof raw === "object" && raw !== null ? (raw as { session_id?: unknown }).session_id : undefined;
    // The line's session is looked up once, before the checks: they keep a valid session_id as it is.
    const rawKey = typeof rawId === "string" ? sessionKey(siteId, rawId) : undefined;
    const held = rawKey === undefined ? undefined : this.bySession.get(rawKey);
    // Most of a session's events repeat its previous event's dims, which were checked then: an
    // equal set is not checked again (half the schema's time in bench:etl), and shares the object.
    const repeated = repeatedDims(raw, held);
    if (repeated) (raw as { dims?: unknown }).dims = undefined;
    const checked = storedEventSchema.safeParse(raw);
    if (!checked.success) {
      return {
        kind: "refused",
        reason: `not a valid event: ${describeIssues(checked.error.issues)}`,
        sessionId: typeof rawId === "string" ? rawId : undefined,
      };
    }
    const { site_id, event_id, event_type, session_id, user_id, event_time, page_path, button_id, dims } = checked.data;
    if (legacy ? site_id !== undefined && site_id !== siteId : site_id !== siteId) {
      return {
        kind: "refused",
        reason: `the line names site ${site_id ?? "(none)"} but is in the folder of site ${siteId}`,
        sessionId: session_id,
      };
    }
    const key = rawKey ?? sessionKey(siteId, session_id);
    if (this.setAside.has(key)) return { kind: "skipped" };
    const event: MetricEvent = {
      eventId: event_id,
      type: event_type,
      userId: user_id,
      time: Date.parse(event_time),
      pagePath: page_path,
      buttonId: button_id,
      dims: repeated ?? dims,
    };
    if (held) held.push(event);
    else this.bySession.set(key, [event]);
    return { kind: "added" };
  }

  /** Removes and returns a session's events (by sessionKey). */
  take(key: string): MetricEvent[] | undefined {
    const events = this.bySession.get(key);
    this.bySession.delete(key);
    return events;
  }

  /** The keys (sessionKey) of the sessions still held. */
  sessionKeys(): string[] {
    return [...this.bySession.keys()];
  }
}

/**
 * The previous event's dims of the line's session (its events held so far) when the line's dims
 * are the same plain object of the same strings, so they would pass the schema's dims checks as
 * those did.
 */
function repeatedDims(raw: unknown, held: readonly MetricEvent[] | undefined): EventDims | undefined {
  const previous = held?.[held.length - 1]?.dims;
  if (previous === undefined) return undefined;
  const dims = (raw as { dims?: unknown }).dims;
  if (typeof dims !== "object" || dims === null || Array.isArray(dims)) return undefined;
  return sameDims(previous, dims as EventDims) ? previous : undefined;
}

/** The same dimensions with the same values (the order of the keys does not matter). */
function sameDims(a: EventDims, b: EventDims): boolean {
  let keys = 0;
  for (const name in b) {
    // Own string values only: "__proto__" or "toString" as a key finds no string of a.
    if (!Object.hasOwn(a, name) || a[name as keyof EventDims] !== b[name as keyof EventDims]) return false;
    keys++;
  }
  return Object.keys(a).length === keys;
}

const SESSION_MARKER = Buffer.from('"session_id":"');
const PROPS_MARKER = Buffer.from('"props":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The session_id string starting at buf[start] (just after its opening quote). */
function idAt(buf: Buffer, start: number, limit: number): string | undefined {
  let end = start;
  let plain = true; // ASCII without escapes: the bytes are the characters
  for (; end < limit; end++) {
    const c = buf[end]!;
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      plain = false;
      end++; // skip the escaped character
    } else if (c >= 0x80) plain = false;
  }
  // Both copy, so the id does not keep the whole chunk alive.
  if (plain) return buf.toString("latin1", start, end);
  try {
    return JSON.parse(`"${buf.toString("utf8", start, end)}"`) as string;
  } catch {
    return undefined;
  }
}

/**
 * Calls onLine(sessionId, start, newline) for each non-empty line of buf[0, end), which ends
 * with '\n', reading session_id without parsing the line (searches run over the whole chunk,
 * not line by line). A line without a plain `"session_id":"`, or where "props" (which may hold
 * any keys) comes first, is parsed, so a nested "session_id" is never taken for the event's.
 * sessionId is undefined for a line that is not an event.
 */
export function forEachLineSessionId(
  buf: Buffer,
  end: number,
  onLine: (sessionId: string | undefined, start: number, newline: number) => void,
): void {
  let start = 0;
  let marker = -2; // the next `"session_id":"` at or after start; -1 when there is none
  let props = -2;
  while (start < end) {
    const nl = buf.indexOf(NEWLINE, start);
    if (nl > start) {
      if (marker !== -1 && marker < start) marker = buf.indexOf(SESSION_MARKER, start);
      if (props !== -1 && props < start) props = buf.indexOf(PROPS_MARKER, start);
      const plain = marker >= 0 && marker < nl && !(props >= 0 && props < marker);
      onLine(plain ? idAt(buf, marker + SESSION_MARKER.length, nl) : parsedSessionId(buf.toString("utf8", start, nl)), start, nl);
    }
    start = nl + 1;
  }
}

function parsedSessionId(line: string): string | undefined {
  try {
    const value = (JSON.parse(line) as { session_id?: unknown }).session_id;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls onChunk with buffers of complete lines from [from, to) of a file and returns the offset
 * just after the last complete line. A trailing line without '\n' (a write in progress) is left
 * for a later pass.
 *
 * Synchronous on purpose: a pass reads thousands of small hourly files (one folder per site), and
 * an awaited open, read and close each cost a thread-pool round trip that left the process idle
 * most of a pass over ten sites (bench:etl -- --sites 10). The ETL worker does nothing else meanwhile.
 */
async function readChunks(
  file: string,
  from: number,
  to: number,
  onChunk: (buf: Buffer, end: number, offset: number) => void,
): Promise<number> {
  const fd = openSync(file, "r");
  try {
    let position = from;
    let buf = chunkBuffer();
    let kept = 0; // bytes of an unfinished line at the start of buf
    let consumedUpTo = from;
    while (position < to) {
      if (kept === buf.length) buf = grown(buf); // a line longer than the buffer
      const bytesRead = readSync(fd, buf, kept, Math.min(buf.length - kept, to - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const filled = kept + bytesRead;
      const lastNewline = buf.lastIndexOf(NEWLINE, filled - 1);
      if (lastNewline < 0) {
        kept = filled;
        continue;
      }
      // A view that ends with the last line: searches must not run on into what earlier reads left.
      onChunk(buf.subarray(0, lastNewline + 1), lastNewline + 1, position - filled);
      consumedUpTo = position - (filled - lastNewline - 1);
      kept = filled - lastNewline - 1;
      buf.copy(buf, 0, lastNewline + 1, filled);
    }
    return consumedUpTo;
  } finally {
    closeSync(fd);
  }
}

/**
 * One buffer for every read: a fresh 8 MiB buffer per file cost its page faults on each of a
 * pass's thousands of files. Safe to share because reading is synchronous and every onChunk copies
 * what it keeps (strings) before it returns.
 */
let shared: Buffer | undefined;
function chunkBuffer(): Buffer {
  shared ??= Buffer.allocUnsafeSlow(CHUNK_BYTES);
  return shared;
}

function grown(buf: Buffer): Buffer {
  const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
  buf.copy(bigger);
  return bigger; // for this read only: one huge line does not keep its buffer for the pass
}

/** Where a line sits in its file, for the quarantine record. */
export interface LinePosition {
  offset: number;
  bytes: number;
}

/**
 * Calls onLine for every complete line in [from, to) with its byte position; returns the offset
 * after the last one. A line that is not valid UTF-8 comes with `line` undefined (it cannot be
 * an event, and decoding would silently replace its bad bytes).
 */
export function readLines(
  file: string,
  from: number,
  to: number,
  onLine: (line: string | undefined, position: LinePosition) => void,
): Promise<number> {
  return readChunks(file, from, to, (buf, end, offset) => {
    if (!isUtf8(buf.subarray(0, end))) {
      // Rare: line by line, so only the bad lines are refused.
      let start = 0;
      while (start < end) {
        const nl = buf.indexOf(NEWLINE, start);
        if (nl > start) {
          const bytes = buf.subarray(start, nl);
          onLine(isUtf8(bytes) ? bytes.toString("utf8") : undefined, { offset: offset + start, bytes: nl - start });
        }
        start = nl + 1;
      }
      return;
    }
    const text = buf.toString("utf8", 0, end);
    // Pure ASCII (as many characters as bytes): character positions are byte positions.
    const ascii = text.length === end;
    let start = 0;
    let byte = offset;
    while (start < text.length) {
      const nl = text.indexOf("\n", start);
      if (nl > start) {
        const line = text.slice(start, nl);
        const bytes = ascii ? line.length : Buffer.byteLength(line, "utf8");
        onLine(line, { offset: byte, bytes });
        byte += bytes + 1;
      } else {
        byte += 1;
      }
      start = nl + 1;
    }
  });
}

/** Calls onLine for the complete lines in [from, to) whose session_id `wanted` accepts. */
export function readLinesOfSessions(
  file: string,
  from: number,
  to: number,
  wanted: (sessionId: string) => boolean,
  onLine: (line: string) => void,
): Promise<number> {
  return readChunks(file, from, to, (buf, end) =>
    forEachLineSessionId(buf, end, (sessionId, start, nl) => {
      // A line that is not UTF-8 was refused when it was first read; decoding it now would count it.
      if (sessionId !== undefined && wanted(sessionId) && isUtf8(buf.subarray(start, nl))) onLine(buf.toString("utf8", start, nl));
    }),
  );
}

/** Calls onSession with the session_id of every complete line in [from, to), without parsing lines. */
export function scanSessionIds(file: string, from: number, to: number, onSession: (sessionId: string) => void): Promise<number> {
  return readChunks(file, from, to, (buf, end) =>
    forEachLineSessionId(buf, end, (sessionId) => {
      if (sessionId !== undefined) onSession(sessionId);
    }),
  );
}

export function absolutePath(logsDir: string, relPath: string): string {
  return path.join(logsDir, relPath);
}
