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

const SESSION_MARKER = '"session_id":"';

/**
 * Reads session_id from a log line without parsing the whole line, so scanning logs for
 * sessions stays cheap. Falls back to a full parse when "props" (which may hold any keys)
 * comes before session_id, so a nested "session_id" is never taken for the event's.
 */
export function lineSessionId(line: string): string | undefined {
  const at = line.indexOf(SESSION_MARKER);
  const props = line.indexOf('"props":');
  if (at < 0 || (props >= 0 && props < at)) return parsedSessionId(line);
  const start = at + SESSION_MARKER.length;
  let end = start;
  let escaped = false;
  for (; end < line.length; end++) {
    const c = line.charCodeAt(end);
    if (c === 0x5c) {
      escaped = true;
      end++; // skip the escaped character
    } else if (c === 0x22) break;
  }
  const raw = line.slice(start, end);
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
 * Calls onLine for every complete line in [from, to) of a file and returns the offset just
 * after the last complete line read. A trailing line without '\n' (a write in progress) is
 * left for a later pass.
 */
export async function readLines(
  file: string,
  from: number,
  to: number,
  onLine: (line: string) => void,
): Promise<number> {
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
      const text = data.toString("utf8", 0, lastNewline);
      let start = 0;
      while (start <= text.length) {
        const nl = text.indexOf("\n", start);
        const end = nl < 0 ? text.length : nl;
        if (end > start) onLine(text.slice(start, end));
        if (nl < 0) break;
        start = nl + 1;
      }
      consumedUpTo = position - (data.length - lastNewline - 1);
      carry = lastNewline + 1 < data.length ? data.subarray(lastNewline + 1) : undefined;
    }
    return consumedUpTo;
  } finally {
    await handle.close();
  }
}

export function absolutePath(logsDir: string, relPath: string): string {
  return path.join(logsDir, relPath);
}
