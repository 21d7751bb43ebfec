import type { Redis } from "ioredis";
import { compareStreamIds, type LiveEntry, type LiveFeedItem } from "./entry";
import { CHART_MINUTES, liveKeys, minuteOf, TOP_LIST_LENGTH, VISITOR_WINDOW_MS } from "./keys";

/** A top list's row: a value and how many current visitors have it. */
export interface LiveCount {
  value: string;
  visitors: number;
}

/** What the live view shows besides the feed (docs/live.md). */
export interface LiveSnapshot {
  /** When it was read (ISO 8601). */
  at: string;
  /** Visitors whose latest event is less than 5 minutes old. */
  visitors: number;
  /** Page views per minute, oldest first; the last is the current minute. */
  pageViews: Array<{ minute: string; pageViews: number }>;
  /** The current visitors by the page they are on, where they came from and their country. */
  pages: LiveCount[];
  sources: LiveCount[];
  countries: LiveCount[];
}

/** The lists are tallied from at most this many current visitors (the count itself is always exact). */
const MAX_TALLIED_VISITORS = 20_000;

function topOf(values: Array<string | null>, unknown: string): LiveCount[] {
  const counts = new Map<string, number>();
  for (const value of values) {
    const key = value ?? unknown;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP_LIST_LENGTH)
    .map(([value, visitors]) => ({ value, visitors }));
}

export async function readLiveSnapshot(redis: Redis, siteId: string, nowMs = Date.now()): Promise<LiveSnapshot> {
  const since = nowMs - VISITOR_WINDOW_MS;
  const current = minuteOf(nowMs);
  const minutes = Array.from({ length: CHART_MINUTES }, (_, i) => current - CHART_MINUTES + 1 + i);
  const [visitors, members, counts] = await Promise.all([
    redis.zcount(liveKeys.visitors(siteId), since, "+inf"),
    redis.zrangebyscore(liveKeys.visitors(siteId), since, "+inf", "LIMIT", 0, MAX_TALLIED_VISITORS),
    redis.mget(minutes.map((m) => liveKeys.pageViews(siteId, m))),
  ]);
  const [pages, sources, countries] =
    members.length === 0
      ? [[], [], []]
      : await Promise.all([
          redis.hmget(liveKeys.pages(siteId), ...members),
          redis.hmget(liveKeys.sources(siteId), ...members),
          redis.hmget(liveKeys.countries(siteId), ...members),
        ]);
  return {
    at: new Date(nowMs).toISOString(),
    visitors,
    pageViews: minutes.map((m, i) => ({ minute: new Date(m * 60_000).toISOString(), pageViews: Number(counts[i] ?? 0) })),
    // A visitor who has sent only other events so far is on a page we do not know yet.
    pages: topOf(pages, "(none)"),
    // As the dashboard's Channels tab: a visitor whose events carried no source came directly.
    sources: topOf(sources, "Direct"),
    countries: topOf(countries, "unknown"),
  };
}

function parseItem(id: string, fields: string[]): LiveFeedItem | null {
  const json = fields[1];
  if (fields[0] !== "e" || json === undefined) return null;
  try {
    return { id, entry: JSON.parse(json) as LiveEntry };
  } catch {
    return null;
  }
}

/**
 * The feed, oldest first: the entries after `afterId` (a browser resuming with Last-Event-ID),
 * else the latest `count`.
 */
export async function readLiveFeed(redis: Redis, siteId: string, count: number, afterId?: string | null): Promise<LiveFeedItem[]> {
  const key = liveKeys.feed(siteId);
  const rows = afterId
    ? await redis.xrange(key, `(${afterId}`, "+", "COUNT", count)
    : (await redis.xrevrange(key, "+", "-", "COUNT", count)).reverse();
  return rows.flatMap(([id, fields]) => parseItem(id, fields) ?? []);
}

/** A pub/sub message of the worker ("<stream id> <entry JSON>") as a feed item. */
export function parseLiveMessage(message: string): LiveFeedItem | null {
  const space = message.indexOf(" ");
  if (space < 0) return null;
  return parseItem(message.slice(0, space), ["e", message.slice(space + 1)]);
}

/** The items newer than `lastId`, in order (a resumed stream may see one twice: from the feed and from pub/sub). */
export function itemsAfter(items: LiveFeedItem[], lastId: string | null): LiveFeedItem[] {
  return lastId ? items.filter((item) => compareStreamIds(item.id, lastId) > 0) : items;
}
