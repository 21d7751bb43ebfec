import { open } from "node:fs/promises";
import path from "node:path";
import type { MetricEvent } from "../../src/core/metrics/session";

const CHUNK_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Events of the sessions being recomputed, grouped by session_id. Repeated strings (types,
 * users, pages, buttons) are shared, and a session's events are dropped as soon as it is summarized.
 */
export class SessionEvents {
  private readonly bySession = new Map<string, MetricEvent[]>();
  private readonly strings = new Map<string, string>();

  private intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  /** Parses one log line and keeps its event; returns false for a line that is not a usable event. */
  addLine(line: string): boolean {
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return false;
    }
    const { event_id, event_type, session_id, user_id, event_time, page_path, button_id } = raw;
    const time = typeof event_time === "string" ? Date.parse(event_time) : Number.NaN;
    if (
      typeof event_id !== "string" ||
      typeof event_type !== "string" ||
      typeof session_id !== "string" ||
      typeof user_id !== "string" ||
      Number.isNaN(time)
    ) {
      return false;
    }
    const event: MetricEvent = {
      eventId: event_id,
      type: this.intern(event_type),
      userId: this.intern(user_id),
      time,
      pagePath: typeof page_path === "string" ? this.intern(page_path) : undefined,
      buttonId: typeof button_id === "string" ? this.intern(button_id) : undefined,
    };
    const list = this.bySession.get(session_id);
    if (list) list.push(event);
    else this.bySession.set(session_id, [event]);
    return true;
  }

  /** Removes and returns a session's events. */
  take(sessionId: string): MetricEvent[] | undefined {
    const events = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    return events;
  }

  sessionIds(): string[] {
    return [...this.bySession.keys()];
  }
}

const SESSION_MARKER = Buffer.from('"session_id":"');
const PROPS_MARKER = Buffer.from('"props":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * session_id of the line buf[start, end) without parsing the whole line, so scanning logs
 * for sessions stays cheap. Falls back to a full parse when the line has no plain
 * `"session_id":"` or when "props" (which may hold any keys) comes first, so a nested
 * "session_id" is never taken for the event's.
 */
export function lineSessionIdAt(buf: Buffer, start: number, end: number): string | undefined {
  const line = buf.subarray(start, end); // a view: searches stay inside the line
  const at = line.indexOf(SESSION_MARKER);
  if (at < 0) return parsedSessionId(line.toString("utf8"));
  const props = line.indexOf(PROPS_MARKER);
  if (props >= 0 && props < at) return parsedSessionId(line.toString("utf8"));
  const idStart = at + SESSION_MARKER.length;
  let idEnd = idStart;
  let escaped = false;
  for (; idEnd < line.length; idEnd++) {
    const c = line[idEnd];
    if (c === BACKSLASH) {
      escaped = true;
      idEnd++; // skip the escaped character
    } else if (c === QUOTE) break;
  }
  // toString copies, so the id does not keep the whole chunk alive.
  const raw = line.toString("utf8", idStart, idEnd);
  if (!escaped) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
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
 */
async function readChunks(file: string, from: number, to: number, onChunk: (buf: Buffer, end: number) => void): Promise<number> {
  const handle = await open(file, "r");
  try {
    let position = from;
    let carry: Buffer | undefined;
    let consumedUpTo = from;
    while (position < to) {
      const length = Math.min(CHUNK_BYTES, to - position);
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data: Buffer = carry ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const lastNewline = data.lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        carry = data;
        continue;
      }
      onChunk(data, lastNewline + 1);
      consumedUpTo = position - (data.length - lastNewline - 1);
      carry = lastNewline + 1 < data.length ? data.subarray(lastNewline + 1) : undefined;
    }
    return consumedUpTo;
  } finally {
    await handle.close();
  }
}

/** Calls onLine(start, newline) for each non-empty line of buf[0, end), which ends with '\n'. */
function forEachLine(buf: Buffer, end: number, onLine: (start: number, newline: number) => void): void {
  let start = 0;
  while (start < end) {
    const nl = buf.indexOf(NEWLINE, start);
    if (nl > start) onLine(start, nl);
    start = nl + 1;
  }
}

/** Calls onLine for every complete line in [from, to); returns the offset after the last one. */
export function readLines(file: string, from: number, to: number, onLine: (line: string) => void): Promise<number> {
  return readChunks(file, from, to, (buf, end) => {
    const text = buf.toString("utf8", 0, end);
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf("\n", start);
      if (nl > start) onLine(text.slice(start, nl));
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
    forEachLine(buf, end, (start, nl) => {
      const sessionId = lineSessionIdAt(buf, start, nl);
      if (sessionId !== undefined && wanted(sessionId)) onLine(buf.toString("utf8", start, nl));
    }),
  );
}

/** Calls onSession with the session_id of every complete line in [from, to), without parsing lines. */
export function scanSessionIds(file: string, from: number, to: number, onSession: (sessionId: string) => void): Promise<number> {
  return readChunks(file, from, to, (buf, end) =>
    forEachLine(buf, end, (start, nl) => {
      const sessionId = lineSessionIdAt(buf, start, nl);
      if (sessionId !== undefined) onSession(sessionId);
    }),
  );
}

export function absolutePath(logsDir: string, relPath: string): string {
  return path.join(logsDir, relPath);
}
