/**
 * The live view's state in Redis (docs/live.md): what is kept, under which key, for how long.
 * The live worker (workers/live) writes it, the web app's stream (src/server/live) reads it; both
 * take the names and windows from here.
 */

/** A visitor counts as "on the site now" for this long after their latest event. */
export const VISITOR_WINDOW_MS = 5 * 60_000;
/** The page-views chart covers this many whole minutes, the current one last. */
export const CHART_MINUTES = 30;
/** Events older than this (by event_time) are not live: a backfill never shows up as current traffic. */
export const LIVE_WINDOW_MS = CHART_MINUTES * 60_000;
/** Events further ahead of the worker's clock than this are not live either (a client clock far off). */
export const MAX_AHEAD_MS = 60_000;
/** The feed keeps about this many latest events per site (Redis trims a stream in whole nodes, so a few more). */
export const FEED_LENGTH = 200;
/** A repeat of an event_id seen this recently is not counted again (client resends, retried batches). */
export const DEDUP_TTL_SECONDS = 10 * 60;
/** Entries a top list shows. */
export const TOP_LIST_LENGTH = 10;

const prefix = (siteId: string) => `live:{${siteId}}`;

/** Every key of one site shares a hash tag, so a Redis Cluster would keep a site's keys (and its script's) on one node. */
export const liveKeys = {
  /** ZSET user_id -> latest event time (ms). */
  visitors: (siteId: string) => `${prefix(siteId)}:visitors`,
  /** HASH user_id -> the source of their first event in the window. */
  sources: (siteId: string) => `${prefix(siteId)}:source`,
  /** HASH user_id -> country of their first event in the window. */
  countries: (siteId: string) => `${prefix(siteId)}:country`,
  /** HASH user_id -> the page of their latest page view. */
  pages: (siteId: string) => `${prefix(siteId)}:page`,
  /** STRING: page views in the minute starting at `minute` (ms since the epoch / 60,000). */
  pageViews: (siteId: string, minute: number) => `${prefix(siteId)}:pv:${minute}`,
  /** STREAM of feed entries; its ids are the SSE event ids a browser resumes from. */
  feed: (siteId: string) => `${prefix(siteId)}:feed`,
  /** STRING set once per event_id (expires after DEDUP_TTL_SECONDS). */
  seen: (siteId: string, eventId: string) => `${prefix(siteId)}:seen:${eventId}`,
  /** Pub/sub channel: one message per feed entry. */
  channel: (siteId: string) => `${prefix(siteId)}:events`,
  /**
   * HASH "<group>:<topic>:<partition>" -> the last Kafka offset applied to this site's state, written
   * by the same script as the state. Offsets only grow within a partition, so one per site is exact.
   */
  offsets: (siteId: string) => `${prefix(siteId)}:offsets`,
  /** ZSET connection id -> expiry (ms): open live streams of one user or key. */
  connections: (holder: string) => `live:connections:${holder}`,
};

export const minuteOf = (ms: number): number => Math.floor(ms / 60_000);
