import type { StoredEvent } from "../events/schema";
import { LIVE_WINDOW_MS, MAX_AHEAD_MS } from "./keys";

/**
 * One event as the live feed shows it: what happened where, and what we know of the visitor's
 * browser. Never the user or session id, the props or anything of the request itself. Every string
 * here came from a client and is shown as text (React escapes it; docs/live.md).
 */
export interface LiveEntry {
  event_id: string;
  event_type: string;
  /** ISO 8601, UTC. */
  event_time: string;
  page?: string;
  button?: string;
  source?: string;
  country?: string;
  browser?: string;
  device?: string;
}

/** A feed entry with the stream id it was stored under (the SSE event id). */
export interface LiveFeedItem {
  id: string;
  entry: LiveEntry;
}

/** What the worker writes for one event: its feed entry and what the counters need. */
export interface LiveUpdate {
  siteId: string;
  userId: string;
  eventId: string;
  timeMs: number;
  /** Page views are counted per minute and move the visitor's current page. */
  pageView: boolean;
  entry: LiveEntry;
}

/**
 * Where the visitor came from, as the live lists name it: the referring host, else the channel
 * ("Organic Search" for a tagged campaign without a referrer…). Undefined when the event carries
 * neither; the lists then say "Direct", as the dashboard's channel does (src/core/dimensions/registry.ts).
 */
function sourceOf(event: StoredEvent): string | undefined {
  return event.dims?.referrer ?? event.dims?.channel;
}

/** The live update for a stored event, or null when its time is outside the live window of `nowMs`. */
export function liveUpdateOf(event: StoredEvent, nowMs: number): LiveUpdate | null {
  const timeMs = Date.parse(event.event_time);
  if (!(timeMs >= nowMs - LIVE_WINDOW_MS && timeMs <= nowMs + MAX_AHEAD_MS)) return null;
  const entry: LiveEntry = { event_id: event.event_id, event_type: event.event_type, event_time: event.event_time };
  if (event.page_path) entry.page = event.page_path;
  if (event.button_id) entry.button = event.button_id;
  const source = sourceOf(event);
  if (source) entry.source = source;
  if (event.dims?.country) entry.country = event.dims.country;
  if (event.dims?.browser) entry.browser = event.dims.browser;
  if (event.dims?.device) entry.device = event.dims.device;
  return {
    siteId: event.site_id,
    userId: event.user_id,
    eventId: event.event_id,
    timeMs,
    pageView: event.event_type === "page_visited",
    entry,
  };
}

/** Stream ids ("<ms>-<seq>") in order: negative when a comes first. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am !== bm ? am - bm : as - bs;
}

/** A Last-Event-ID a browser may send back: exactly a stream id, nothing else reaches Redis. */
export function parseStreamId(value: string | null): string | null {
  return value !== null && /^\d{1,15}-\d{1,15}$/.test(value) ? value : null;
}
