/**
 * Generated logs for cross-checks and benchmarks: realistic sessions from the simulator's
 * generator, written as the consumer writes them, plus the awkward cases real traffic has
 * (retried events, clicks without page_path, visits over 30 minutes).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { StoredEvent } from "../../src/core/events";
import { eventLogPath } from "../../src/core/logs/paths";
import { DEFAULT_SITE_ID } from "../../src/core/sites/defaultSite";
import { parseSimulatorConfig } from "../../scripts/simulate/config";
import { createRng } from "../../scripts/simulate/rng";
import { generateSessions } from "../../scripts/simulate/sessions";

export interface DatasetOptions {
  /** About this many events (before duplicates). */
  events: number;
  /** Sessions start over this many days, ending at endMs. */
  days: number;
  endMs: number;
  seed: number;
  users?: number;
  /** Share of events sent twice with the same event_id (client retries). */
  duplicateRate?: number;
  /** Share of clicks sent without page_path. */
  clickWithoutPageRate?: number;
  /** Share of sessions with a 40-minute pause after their first page (capped visits). */
  longPauseRate?: number;
  /** Session ids start with this, so two datasets never share sessions. */
  sessionIdPrefix?: string;
  /** The site the events belong to (default: the default site). */
  siteId?: string;
}

const HOUR_MS = 3_600_000;

/** Buffers lines per hourly file and appends them in large writes. */
export class LogWriter {
  private readonly buffers = new Map<string, string[]>();
  private buffered = 0;
  events = 0;
  constructor(private readonly logsDir: string) {}

  add(event: StoredEvent): void {
    const file = eventLogPath(this.logsDir, event.site_id, event.event_time);
    let lines = this.buffers.get(file);
    if (!lines) {
      lines = [];
      this.buffers.set(file, lines);
    }
    lines.push(JSON.stringify(event));
    this.events++;
    if (++this.buffered >= 50_000) this.flush();
  }

  flush(): void {
    for (const [file, lines] of this.buffers) {
      mkdirSync(path.dirname(file), { recursive: true });
      appendFileSync(file, `${lines.join("\n")}\n`);
    }
    this.buffers.clear();
    this.buffered = 0;
  }
}

/** Writes a generated dataset into logsDir; returns the number of lines written. */
export function writeDataset(logsDir: string, options: DatasetOptions): number {
  const writer = new LogWriter(logsDir);
  for (const event of datasetEvents(options)) writer.add(event);
  writer.flush();
  return writer.events;
}

export function* datasetEvents(options: DatasetOptions): Generator<StoredEvent> {
  const durationSeconds = options.days * 86_400;
  const model = parseSimulatorConfig({
    users: options.users ?? Math.max(50, Math.round(options.events / 200)),
    duration_seconds: durationSeconds,
    events_per_second: options.events / durationSeconds,
  });
  const rng = createRng(options.seed);
  const anomalies = createRng(options.seed + 1);
  let emitted = 0;
  for (const session of generateSessions(model, rng, {
    startMs: options.endMs - durationSeconds * 1000,
    sessionIdPrefix: options.sessionIdPrefix ?? `s${options.seed}`,
  })) {
    const pause = anomalies() < (options.longPauseRate ?? 0) ? 40 * 60_000 : 0;
    for (const [i, original] of session.events.entries()) {
      let event: StoredEvent = { site_id: options.siteId ?? DEFAULT_SITE_ID, ...original };
      if (pause > 0 && i >= 2) event = { ...event, event_time: new Date(session.times[i]! + pause).toISOString() };
      if (event.event_type === "button_clicked" && anomalies() < (options.clickWithoutPageRate ?? 0)) {
        const { page_path: _dropped, ...rest } = event;
        event = rest;
      }
      if (Date.parse(event.event_time) >= options.endMs + HOUR_MS) continue; // keep the data set inside its window
      yield event;
      emitted++;
      if (anomalies() < (options.duplicateRate ?? 0)) yield { ...event };
    }
    if (emitted >= options.events) return;
  }
}
