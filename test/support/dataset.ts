/**
 * Generated logs for cross-checks and benchmarks: realistic sessions from the simulator's
 * generator, written as the consumer writes them, plus the awkward cases real traffic has
 * (retried events, clicks without page_path, visits over 30 minutes). Events carry the `dims`
 * ingest would store for the simulator's visitors (scripts/simulate/visitors.ts): the landing
 * page's source, device, country and language, later pages without a source of their own, and
 * some sessions with none at all (docs/dimensions.md, "Where the values come from").
 */
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { dimsOf } from "../../src/core/dimensions/attach";
import type { EventDims } from "../../src/core/dimensions/registry";
import { enrich } from "../../src/core/enrich";
import type { StoredEvent } from "../../src/core/events";
import { eventLogPath } from "../../src/core/logs/paths";
import { DEFAULT_SITE_ID } from "../../src/core/sites/defaultSite";
import { parseSimulatorConfig } from "../../scripts/simulate/config";
import { createRng } from "../../scripts/simulate/rng";
import { generateSessions } from "../../scripts/simulate/sessions";
import { contextOf, pickVisitor, type Visitor } from "../../scripts/simulate/visitors";

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
  /** Events carry the dims of their visitor (default true); false: no event has dims, as before dimensions. */
  dims?: boolean;
  /** Share of sessions sent without any context: none of their events has dims (default 0.06). */
  noDimsRate?: number;
  /** Share of sessions whose events carry `dims: {}`, a context with nothing that can be known (default 0.01). */
  emptyDimsRate?: number;
  /** Share of sessions whose session_created comes from a server without context, the page views with one (default 0.15). */
  serverStartRate?: number;
  /**
   * Custom event types, drawn uniformly (repeat one to make it more common). The default is skewed
   * towards outbound clicks; the list's length does not change the generated sessions, only names.
   */
  customEventTypes?: string[];
}

/** outbound_click 3/8, video.play 2/8, download, signup, form.submit 1/8 each. */
const CUSTOM_EVENT_TYPES = [
  "outbound_click",
  "outbound_click",
  "outbound_click",
  "video.play",
  "video.play",
  "download",
  "signup",
  "form.submit",
];

interface VisitorDims {
  /** The landing page's: source, hostname, device, country, language. */
  landing: EventDims;
  /** A later page's: the same without source (its referrer is the site itself). */
  inner: EventDims;
}

// What enrichment makes of each visitor, worked out once per distinct visitor: a few thousand
// enrich() calls for any size of data set, and events share the objects.
const visitorDims = new Map<string, VisitorDims>();

function dimsOfVisitor(v: Visitor): VisitorDims {
  const key = `${v.source}.${v.agent}.${v.place}.${v.ip}.${v.language}.${v.host}`;
  let found = visitorDims.get(key);
  if (!found) {
    const dimsFor = (previous: string | null) => {
      const c = contextOf(v, "/", previous);
      return dimsOf(enrich({ url: c.url, referrer: c.referrer, userAgent: c.user_agent, ip: c.ip, language: c.language }));
    };
    found = { landing: dimsFor(null), inner: dimsFor("/") };
    visitorDims.set(key, found);
  }
  return found;
}

const NO_DIMS: EventDims = {};

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

/**
 * Writes a data set but holds back about `lateShare` of its events (drawn with `splitSeed`),
 * returned for a later pass: late arrivals (offline SDKs, retries, backfill), first events of
 * sessions included.
 */
export function writeDatasetHoldingBack(logsDir: string, options: DatasetOptions, lateShare: number, splitSeed: number): StoredEvent[] {
  const writer = new LogWriter(logsDir);
  const split = createRng(splitSeed);
  const late: StoredEvent[] = [];
  for (const event of datasetEvents(options)) {
    if (split() < lateShare) late.push(event);
    else writer.add(event);
  }
  writer.flush();
  return late;
}

export function* datasetEvents(options: DatasetOptions): Generator<StoredEvent> {
  const durationSeconds = options.days * 86_400;
  const model = parseSimulatorConfig({
    users: options.users ?? Math.max(50, Math.round(options.events / 200)),
    duration_seconds: durationSeconds,
    events_per_second: options.events / durationSeconds,
    custom_event_types: options.customEventTypes ?? CUSTOM_EVENT_TYPES,
  });
  const rng = createRng(options.seed);
  const anomalies = createRng(options.seed + 1);
  // Its own stream, so the sessions, times and event ids are those of a data set without dims.
  const visitors = createRng(Math.imul(options.seed, 0x9e3779b1) ^ 0x7f4a7c15);
  const withDims = options.dims ?? true;
  const noDims = options.noDimsRate ?? 0.06;
  const emptyDims = noDims + (options.emptyDimsRate ?? 0.01);
  const serverStart = options.serverStartRate ?? 0.15;
  let emitted = 0;
  for (const session of generateSessions(model, rng, {
    startMs: options.endMs - durationSeconds * 1000,
    sessionIdPrefix: options.sessionIdPrefix ?? `s${options.seed}`,
  })) {
    const pause = anomalies() < (options.longPauseRate ?? 0) ? 40 * 60_000 : 0;
    // Which dims each event gets: none (no context), {} (nothing known), or the visitor's; the
    // events up to the second page view are on the landing page and carry its source.
    let visitor: VisitorDims | null = null;
    let startWithout = false;
    if (withDims) {
      const kind = visitors();
      startWithout = visitors() < serverStart;
      const drawn = dimsOfVisitor(pickVisitor(visitors));
      if (kind >= emptyDims) visitor = drawn;
      else if (kind >= noDims) visitor = { landing: NO_DIMS, inner: NO_DIMS };
    }
    let pagesSeen = 0;
    for (const [i, original] of session.events.entries()) {
      let event: StoredEvent;
      if (visitor && !(i === 0 && startWithout)) {
        if (original.event_type === "page_visited") pagesSeen++;
        // One literal with every key, so events keep one shape (adding a key later costs more).
        event = { site_id: options.siteId ?? DEFAULT_SITE_ID, ...original, dims: pagesSeen <= 1 ? visitor.landing : visitor.inner };
      } else event = { site_id: options.siteId ?? DEFAULT_SITE_ID, ...original };
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
