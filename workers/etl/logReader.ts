import { open } from "node:fs/promises";
import path from "node:path";
import type { MetricEvent } from "../../src/core/metrics/session";

const CHUNK_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Events of many sessions, grouped by session_id, with strings shared to keep memory low. */
export class SessionEvents {
  readonly bySession = new Map<string, MetricEvent[]>();
  private readonly strings = new Map<string, string>();
  events = 0;
  malformed = 0;

  private intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  /** Parses one log line; a line that is not a usable event is counted and skipped. */
  addLine(line: string): void {
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.malformed++;
      return;
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
      this.malformed++;
      return;
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
    this.events++;
  }
}

const SESSION_MARKER = '"session_id":"';

/**
 * Reads session_id from a log line without parsing the whole line, so re-reading old
 * log parts to find a few sessions' earlier events stays cheap.
 */
export function peekSessionId(line: string): string | undefined {
  const at = line.indexOf(SESSION_MARKER);
  if (at < 0) return undefined;
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
