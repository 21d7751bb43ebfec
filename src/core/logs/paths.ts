import { readdir } from "node:fs/promises";
import path from "node:path";

/**
 * Layout of the raw logs under `logs.dir` (docs/logs.md). Files are partitioned by the UTC hour
 * of each event's event_time, so a late (backfilled) event lands in the file of the hour it
 * belongs to and the ETL can find every event of a session by its time span.
 *
 *   events/YYYY-MM-DD/HH.jsonl       every event
 *   sessions/YYYY-MM-DD/HH.jsonl     session_created and session_ended only
 *   dead-letter/YYYY-MM-DD.jsonl     messages that could not be parsed (by arrival date)
 */
export const EVENTS_SUBDIR = "events";
export const SESSIONS_SUBDIR = "sessions";
export const DEAD_LETTER_SUBDIR = "dead-letter";

/** "2026-11-28T14:05:00.000Z" -> "2026-11-28/14.jsonl" (event_time is always UTC ISO in the logs). */
export function hourFileName(eventTimeIso: string): string {
  return `${eventTimeIso.slice(0, 10)}/${eventTimeIso.slice(11, 13)}.jsonl`;
}

export function eventLogPath(logsDir: string, eventTimeIso: string): string {
  return path.join(logsDir, EVENTS_SUBDIR, hourFileName(eventTimeIso));
}

export function sessionLogPath(logsDir: string, eventTimeIso: string): string {
  return path.join(logsDir, SESSIONS_SUBDIR, hourFileName(eventTimeIso));
}

export function deadLetterLogPath(logsDir: string, at: Date = new Date()): string {
  return path.join(logsDir, DEAD_LETTER_SUBDIR, `${at.toISOString().slice(0, 10)}.jsonl`);
}

export function isSessionBoundary(eventType: string): boolean {
  return eventType === "session_created" || eventType === "session_ended";
}

export interface HourFile {
  /** Path relative to logs.dir, e.g. "events/2026-11-28/14.jsonl"; the ETL's cursor key. */
  relPath: string;
  /** Start of the hour in ms since the epoch (UTC). */
  hourStart: number;
}

const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
const HOUR_FILE = /^(\d{2})\.jsonl$/;

/** Every hourly events file, oldest first. */
export async function listEventHourFiles(logsDir: string): Promise<HourFile[]> {
  const root = path.join(logsDir, EVENTS_SUBDIR);
  let days: string[];
  try {
    days = (await readdir(root)).filter((d) => DAY_DIR.test(d)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const files: HourFile[] = [];
  for (const day of days) {
    for (const name of (await readdir(path.join(root, day))).sort()) {
      const m = HOUR_FILE.exec(name);
      if (!m) continue;
      files.push({
        relPath: `${EVENTS_SUBDIR}/${day}/${name}`,
        hourStart: Date.parse(`${day}T${m[1]}:00:00.000Z`),
      });
    }
  }
  return files;
}
