import { BUILT_IN_EVENT_TYPES } from "../events/schema";
import { EVENT_DIMS, SESSION_DIMENSIONS, type EventDims, type SessionDimensionName } from "../dimensions/registry";
import { utcDate, type DateOf } from "./dates";

const HOUR_MS = 3_600_000;

/** docs/metrics.md: a visit's time is capped at 30 minutes. */
export const VISIT_TIME_CAP_MS = 1_800_000;
/** docs/metrics.md: a click (or visit) without page_path counts under the page_path ''. */
export const NO_PAGE = "";

export interface MetricEvent {
  eventId: string;
  type: string;
  userId: string;
  /** event_time in ms since the epoch (UTC). */
  time: number;
  pagePath?: string | undefined;
  buttonId?: string | undefined;
  /** The dimensions made at ingest (docs/dimensions.md); absent on events sent without a context. */
  dims?: EventDims | undefined;
}

/** Custom events (any type but the built-in ones) of one session, per date and type. */
export interface CustomEventFact {
  date: string;
  eventType: string;
  count: number;
}

/** A session's value of each session dimension (docs/dimensions.md), "unknown" values included. */
export type SessionDims = Record<SessionDimensionName, string>;

/** The page visits of one session for one (visit date, page_path). */
export interface VisitFact {
  date: string;
  pagePath: string;
  visits: number;
  /** Visits that ended (page_closed of the page, next page_visited or session_ended) and so have a time. */
  timedVisits: number;
  /** Sum of the timed visits' times, each capped at VISIT_TIME_CAP_MS. */
  timeSpentMs: number;
}

export interface ClickFact {
  date: string;
  pagePath: string;
  buttonId: string;
  clicks: number;
}

export interface SessionFacts {
  sessionId: string;
  /** user_id of the session's first event. */
  userId: string;
  /** Date of the session's start, in its site's time zone. */
  date: string;
  startTime: number;
  /** event_time of its (latest) session_ended, else of its latest event. */
  endTime: number;
  durationMs: number;
  pageViews: number;
  lastEventTime: number;
  /** Events after deduplication by event_id. */
  eventCount: number;
  /** Distinct UTC hours (ms since the epoch / 3 600 000) holding its events, ascending: where its log lines are. */
  eventHours: number[];
  visits: VisitFact[];
  clicks: ClickFact[];
  customEvents: CustomEventFact[];
  dims: SessionDims;
}

const BUILT_IN = new Set<string>(BUILT_IN_EVENT_TYPES);

/**
 * docs/dimensions.md: a session's dimensions are those of its first event that carries any (a
 * server's session_created may come without a context; the page view after it has one); its entry
 * page is the page of its first page_visited, its exit page that of its last.
 */
function sessionDims(events: readonly MetricEvent[]): SessionDims {
  const dims = Object.fromEntries(SESSION_DIMENSIONS.map((d) => [d.name, d.unknown])) as SessionDims;
  const carrier = events.find((e) => e.dims !== undefined)?.dims;
  if (carrier) for (const name of EVENT_DIMS) dims[name] = carrier[name] ?? dims[name];
  let entry: string | undefined;
  let exit: string | undefined;
  for (const event of events) {
    if (event.type !== "page_visited") continue;
    entry ??= event.pagePath ?? NO_PAGE;
    exit = event.pagePath ?? NO_PAGE;
  }
  if (entry !== undefined) dims.entry_page = entry;
  if (exit !== undefined) dims.exit_page = exit;
  return dims;
}

/** Events in time order; equal times are ordered by event_id so every pass sees the same sequence. */
export function compareEvents(a: MetricEvent, b: MetricEvent): number {
  return a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/**
 * Applies the docs/metrics.md definitions to all events of one session (in any order, duplicates
 * allowed): the same event_id counts once.
 */
export function summarizeSession(sessionId: string, input: readonly MetricEvent[], dateOf: DateOf = utcDate): SessionFacts {
  if (input.length === 0) throw new Error(`session ${sessionId} has no events`);
  const sorted = [...input].sort(compareEvents);
  const events: MetricEvent[] = [];
  const seen = new Set<string>();
  for (const event of sorted) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    events.push(event);
  }

  const eventHours: number[] = [];
  for (const event of events) {
    const hour = Math.floor(event.time / HOUR_MS);
    if (eventHours[eventHours.length - 1] !== hour) eventHours.push(hour);
  }

  const first = events[0]!;
  const last = events[events.length - 1]!;
  let endTime = last.time;
  let endedAt: number | undefined;
  let pageViews = 0;
  const visits = new Map<string, VisitFact>();
  const clicks = new Map<string, ClickFact>();
  const customEvents = new Map<string, CustomEventFact>();

  // Walk backwards so each page_visited knows the nearest later event that ends it.
  let nextBoundary = Number.POSITIVE_INFINITY; // next page_visited or session_ended
  const nextClose = new Map<string, number>(); // next page_closed per page_path
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    switch (event.type) {
      case "page_visited": {
        pageViews++;
        const pagePath = event.pagePath ?? NO_PAGE;
        const endsAt = Math.min(nextBoundary, nextClose.get(pagePath) ?? Number.POSITIVE_INFINITY);
        const date = dateOf(event.time);
        const key = `${date}\u0000${pagePath}`;
        let fact = visits.get(key);
        if (!fact) {
          fact = { date, pagePath, visits: 0, timedVisits: 0, timeSpentMs: 0 };
          visits.set(key, fact);
        }
        fact.visits++;
        if (endsAt !== Number.POSITIVE_INFINITY) {
          fact.timedVisits++;
          fact.timeSpentMs += Math.min(endsAt - event.time, VISIT_TIME_CAP_MS);
        }
        nextBoundary = event.time;
        break;
      }
      case "session_ended":
        endedAt ??= event.time; // walking backwards: the first one met is the latest
        nextBoundary = event.time;
        break;
      case "page_closed":
        nextClose.set(event.pagePath ?? NO_PAGE, event.time);
        break;
      case "button_clicked": {
        const date = dateOf(event.time);
        const pagePath = event.pagePath ?? NO_PAGE;
        const buttonId = event.buttonId ?? "";
        const key = `${date}\u0000${pagePath}\u0000${buttonId}`;
        const fact = clicks.get(key);
        if (fact) fact.clicks++;
        else clicks.set(key, { date, pagePath, buttonId, clicks: 1 });
        break;
      }
      default: {
        if (BUILT_IN.has(event.type)) break;
        const date = dateOf(event.time);
        const key = `${date}\u0000${event.type}`;
        const fact = customEvents.get(key);
        if (fact) fact.count++;
        else customEvents.set(key, { date, eventType: event.type, count: 1 });
        break;
      }
    }
  }
  if (endedAt !== undefined) endTime = endedAt;

  return {
    sessionId,
    userId: first.userId,
    date: dateOf(first.time),
    startTime: first.time,
    endTime,
    durationMs: endTime - first.time,
    pageViews,
    lastEventTime: last.time,
    eventCount: events.length,
    eventHours,
    visits: [...visits.values()].reverse(),
    clicks: [...clicks.values()].reverse(),
    customEvents: [...customEvents.values()].reverse(),
    dims: sessionDims(events),
  };
}
