import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { DateRange } from "../analytics/types";
import { storedEventSchema, type StoredEvent } from "../events/schema";
import { listEventHourFiles, type HourFile } from "../logs/paths";
import { dateIn } from "../metrics/dates";

/**
 * The raw events of a site and range, read straight from its JSON Lines logs (docs/exports.md):
 * the lines themselves, byte for byte, for NDJSON; the parsed events for CSV. Memory stays flat
 * whatever the size: files are read in 1 MiB pieces and matching lines leave in chunks of about
 * CHUNK_BYTES, pulled by the consumer of the generator (so a slow download slows the reading).
 */

const HOUR_MS = 3_600_000;
/** Widest UTC offset of any time zone (Kiribati +14, Baker Island -12): hour files that can hold a date of the range. */
const ZONE_SLACK_MS = 14 * HOUR_MS;
const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

export interface RawExportQuery {
  logsDir: string;
  siteId: string;
  /** Inclusive dates in the site's time zone, as everywhere in the API. */
  range: DateRange;
  timeZone: string;
  /** Only events of these sessions (the sessions a filter keeps; src/core/export/sessions.ts); all when absent. */
  sessions?: ReadonlySet<string>;
  /** Stops the reading (a client that went away); the generator then ends without reading further. */
  signal?: AbortSignal;
}

export interface RawExportStats {
  filesRead: number;
  events: number;
  /** Lines the same event_id already had in the same file (a re-delivery): exported once. */
  copies: number;
  /** Lines that are not valid events (the ETL sets them aside too; docs/etl.md, "Quarantine"). */
  invalid: number;
}

/** The hour files that can hold events of the range's dates in the site's zone, oldest first. */
async function filesOfRange(query: RawExportQuery): Promise<HourFile[]> {
  const from = Date.parse(`${query.range.from}T00:00:00Z`) - ZONE_SLACK_MS;
  const to = Date.parse(`${query.range.to}T00:00:00Z`) + 24 * HOUR_MS + ZONE_SLACK_MS;
  const files = await listEventHourFiles(query.logsDir, new Set([query.siteId]));
  return files.filter((f) => f.hourStart + HOUR_MS > from && f.hourStart < to).sort((a, b) => a.hourStart - b.hourStart);
}

/** Complete lines of a file up to its size when opened (a line being appended is left for the next export). */
async function* linesOf(file: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const { size } = await stat(file);
  if (size === 0) return;
  const stream = createReadStream(file, { start: 0, end: size - 1, highWaterMark: 1024 * 1024 });
  let rest: Buffer | undefined;
  try {
    for await (const piece of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) return;
      const buf = rest ? Buffer.concat([rest, piece]) : piece;
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
        if (nl > start) yield buf.subarray(start, nl);
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : undefined;
    }
  } finally {
    stream.destroy();
  }
}

/**
 * Every event of the range (its event_time's date in the site's zone within from..to), each once,
 * as the logged line (without its '\n') and the parsed event. Copies of an event share its file
 * (the file is chosen by event_time and the Kafka partition of its session), so duplicates are
 * found per file and the memory for it is one file's ids.
 */
export async function* rawEvents(query: RawExportQuery, stats: RawExportStats): AsyncGenerator<{ line: Buffer; event: StoredEvent }> {
  const dateOf = dateIn(query.timeZone);
  const { from, to } = query.range;
  for (const file of await filesOfRange(query)) {
    if (query.signal?.aborted) return;
    stats.filesRead++;
    const seen = new Set<string>();
    for await (const line of linesOf(path.join(query.logsDir, file.relPath), query.signal)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line.toString("utf8"));
      } catch {
        stats.invalid++;
        continue;
      }
      const checked = storedEventSchema.safeParse(parsed);
      if (!checked.success) {
        stats.invalid++;
        continue;
      }
      const event = checked.data as StoredEvent;
      const date = dateOf(Date.parse(event.event_time));
      if (date < from || date > to) continue;
      if (query.sessions && !query.sessions.has(event.session_id)) continue;
      if (seen.has(event.event_id)) {
        stats.copies++;
        continue;
      }
      seen.add(event.event_id);
      stats.events++;
      yield { line, event };
    }
  }
}

/** The NDJSON export: the logged lines of the range's events, each with its '\n', in chunks. */
export async function* ndjsonChunks(query: RawExportQuery, stats: RawExportStats): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let bytes = 0;
  for await (const { line } of rawEvents(query, stats)) {
    parts.push(line, NEWLINE_BUFFER);
    bytes += line.length + 1;
    if (bytes >= CHUNK_BYTES) {
      yield Buffer.concat(parts, bytes);
      parts = [];
      bytes = 0;
    }
  }
  if (bytes > 0) yield Buffer.concat(parts, bytes);
}

const NEWLINE_BUFFER = Buffer.from("\n");

export function emptyStats(): RawExportStats {
  return { filesRead: 0, events: 0, copies: 0, invalid: 0 };
}
