import { readdir } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_SITE_ID } from "../sites/defaultSite";

/**
 * Layout of the raw logs under `logs.dir` (docs/logs.md): one folder per site, then files
 * partitioned by the UTC hour of each event's event_time, so a late (backfilled) event lands in
 * the file of the hour it belongs to and the ETL finds a session's events by their hours; and one
 * file per Kafka partition, so consumers of one group on several processes (or machines sharing
 * the volume) never append to the same file: a partition has one owner in the group at a time.
 *
 *   events/<site_id>/YYYY-MM-DD/HH.p<N>.jsonl      every event of the site that came by partition N
 *   sessions/<site_id>/YYYY-MM-DD/HH.p<N>.jsonl    its session_created and session_ended only
 *   dead-letter/YYYY-MM-DD.p<N>.jsonl              messages that were not valid events (by arrival date)
 *
 * Files without `.p<N>` were written before files were split by partition (HH.jsonl), or before
 * sites existed (events/YYYY-MM-DD/HH.jsonl, the default site's); both are read as they are and
 * nothing is moved.
 */
export const EVENTS_SUBDIR = "events";
export const SESSIONS_SUBDIR = "sessions";
export const DEAD_LETTER_SUBDIR = "dead-letter";

/** ".p3" for partition 3; "" without one (the layout before files were split by partition). */
function partitionSuffix(partition: number | undefined): string {
  return partition === undefined ? "" : `.p${partition}`;
}

/** "2026-11-28T14:05:00.000Z", 3 -> "2026-11-28/14.p3.jsonl" (event_time is always UTC ISO in the logs). */
export function hourFileName(eventTimeIso: string, partition?: number): string {
  return `${eventTimeIso.slice(0, 10)}/${eventTimeIso.slice(11, 13)}${partitionSuffix(partition)}.jsonl`;
}

export function eventLogPath(logsDir: string, siteId: string, eventTimeIso: string, partition?: number): string {
  return path.join(logsDir, EVENTS_SUBDIR, siteId, hourFileName(eventTimeIso, partition));
}

export function sessionLogPath(logsDir: string, siteId: string, eventTimeIso: string, partition?: number): string {
  return path.join(logsDir, SESSIONS_SUBDIR, siteId, hourFileName(eventTimeIso, partition));
}

export function deadLetterLogPath(logsDir: string, at: Date = new Date(), partition?: number): string {
  return path.join(logsDir, DEAD_LETTER_SUBDIR, `${at.toISOString().slice(0, 10)}${partitionSuffix(partition)}.jsonl`);
}

export function isSessionBoundary(eventType: string): boolean {
  return eventType === "session_created" || eventType === "session_ended";
}

export interface HourFile {
  /** Path relative to logs.dir, e.g. "events/<site>/2026-11-28/14.jsonl"; the ETL's cursor key. */
  relPath: string;
  siteId: string;
  /** Start of the hour in ms since the epoch (UTC). */
  hourStart: number;
  /** A file of the layout before sites (its lines carry no site_id). */
  legacy: boolean;
}

const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
const HOUR_FILE = /^(\d{2})(?:\.p\d{1,5})?\.jsonl$/;
const SITE_DIR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

async function hourFilesOfDays(root: string, prefix: string, siteId: string, legacy: boolean, days: string[]): Promise<HourFile[]> {
  const files: HourFile[] = [];
  for (const day of days) {
    for (const name of await entries(path.join(root, day))) {
      const m = HOUR_FILE.exec(name);
      if (!m) continue;
      files.push({ relPath: `${prefix}/${day}/${name}`, siteId, hourStart: Date.parse(`${day}T${m[1]}:00:00.000Z`), legacy });
    }
  }
  return files;
}

/**
 * Every hourly events file of the given sites (all sites when omitted), per site oldest first.
 * Folders of other sites (deleted ones) are not listed.
 */
export async function listEventHourFiles(logsDir: string, sites?: ReadonlySet<string>): Promise<HourFile[]> {
  const root = path.join(logsDir, EVENTS_SUBDIR);
  const names = await entries(root);
  const wanted = (siteId: string) => !sites || sites.has(siteId);
  const files: HourFile[] = [];
  const legacyDays = names.filter((d) => DAY_DIR.test(d));
  if (legacyDays.length > 0 && wanted(DEFAULT_SITE_ID)) {
    files.push(...(await hourFilesOfDays(root, EVENTS_SUBDIR, DEFAULT_SITE_ID, true, legacyDays)));
  }
  for (const siteId of names.filter((d) => SITE_DIR.test(d) && wanted(d))) {
    const siteRoot = path.join(root, siteId);
    const days = (await entries(siteRoot)).filter((d) => DAY_DIR.test(d));
    files.push(...(await hourFilesOfDays(siteRoot, `${EVENTS_SUBDIR}/${siteId}`, siteId, false, days)));
  }
  return files;
}
