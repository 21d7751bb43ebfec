import type { Redis } from "ioredis";
import type { LiveUpdate } from "./entry";
import { DEDUP_TTL_SECONDS, FEED_LENGTH, LIVE_WINDOW_MS, liveKeys, minuteOf, VISITOR_WINDOW_MS } from "./keys";

/**
 * One event's whole live update as one Lua script, so Redis applies all of it or none, and the
 * Kafka offset it came from is recorded in the same step: a worker restarted after a crash
 * re-reads from its last Kafka commit and skips what Redis already holds (docs/live.md,
 * "Exactly once"). A repeated event_id is skipped too. Cost per event is O(1): a few writes, a
 * bounded trim of visitors who left the window, one XADD with approximate trimming, one PUBLISH.
 *
 * KEYS: offsets, seen, visitors, sources, countries, pages, page views of the minute, feed
 * ARGV: offset field, offset, now ms, event ms, user id, page ("" unless a page view),
 *       source, country, entry JSON, channel
 */
const APPLY_SCRIPT = `
local applied = redis.call('HGET', KEYS[1], ARGV[1])
if applied and tonumber(applied) >= tonumber(ARGV[2]) then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ${2 * LIVE_WINDOW_MS})
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ${DEDUP_TTL_SECONDS}) then return false end
local now = tonumber(ARGV[3])
local t = tonumber(ARGV[4])
local user = ARGV[5]
local cutoff = now - ${VISITOR_WINDOW_MS}
if t >= cutoff then
  local seen = redis.call('ZSCORE', KEYS[3], user)
  redis.call('ZADD', KEYS[3], 'GT', t, user)
  if ARGV[7] ~= '' then redis.call('HSETNX', KEYS[4], user, ARGV[7]) end
  if ARGV[8] ~= '' then redis.call('HSETNX', KEYS[5], user, ARGV[8]) end
  if ARGV[6] ~= '' and (not seen or t >= tonumber(seen)) then redis.call('HSET', KEYS[6], user, ARGV[6]) end
  local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. cutoff, 'LIMIT', 0, 64)
  if #gone > 0 then
    redis.call('ZREM', KEYS[3], unpack(gone))
    redis.call('HDEL', KEYS[4], unpack(gone))
    redis.call('HDEL', KEYS[5], unpack(gone))
    redis.call('HDEL', KEYS[6], unpack(gone))
  end
  for i = 3, 6 do redis.call('PEXPIRE', KEYS[i], ${VISITOR_WINDOW_MS * 2}) end
end
if ARGV[6] ~= '' then
  redis.call('INCR', KEYS[7])
  redis.call('PEXPIRE', KEYS[7], ${LIVE_WINDOW_MS + 2 * 60_000})
end
local id = redis.call('XADD', KEYS[8], 'MAXLEN', '~', ${FEED_LENGTH}, '*', 'e', ARGV[9])
redis.call('PEXPIRE', KEYS[8], ${LIVE_WINDOW_MS})
redis.call('PUBLISH', ARGV[10], id .. ' ' .. ARGV[9])
return id
`;

/** A Kafka message's place, so each is applied once however often it is delivered. */
export interface LiveSource {
  topic: string;
  partition: number;
  offset: string;
}

export class LiveWriter {
  /** `redis` is the writer's own connection (the script runs in pipelines on it). */
  constructor(
    private readonly redis: Redis,
    private readonly groupId: string,
  ) {
    redis.defineCommand("pulseLiveApply", { numberOfKeys: 8, lua: APPLY_SCRIPT });
  }

  /**
   * Applies updates in one pipeline (one round trip). Each item is a Kafka message; `update` is
   * null for one that is not live (outside the window, undecodable). Returns how many were applied (not already there, not a repeated event_id).
   */
  async apply(items: Array<{ source: LiveSource; update: LiveUpdate | null }>, nowMs = Date.now()): Promise<number> {
    if (items.length === 0) return 0;
    // defineCommand adds the script to pipelines too; ioredis' types only know it on the client.
    const pipeline = this.redis.pipeline() as ReturnType<Redis["pipeline"]> & { pulseLiveApply: (...args: Array<string | number>) => void };
    for (const { source, update } of items) {
      // A message that is not live changes nothing; replaying it later changes nothing either.
      if (!update) continue;
      const site = update.siteId;
      pipeline.pulseLiveApply(
        liveKeys.offsets(site),
        liveKeys.seen(site, update.eventId),
        liveKeys.visitors(site),
        liveKeys.sources(site),
        liveKeys.countries(site),
        liveKeys.pages(site),
        liveKeys.pageViews(site, minuteOf(update.timeMs)),
        liveKeys.feed(site),
        `${this.groupId}:${source.topic}:${source.partition}`,
        source.offset,
        nowMs,
        update.timeMs,
        update.userId,
        update.pageView ? (update.entry.page ?? "(none)") : "",
        update.entry.source ?? "",
        update.entry.country ?? "",
        JSON.stringify(update.entry),
        liveKeys.channel(site),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    let applied = 0;
    for (const [err, value] of results) {
      if (err) throw err;
      if (typeof value === "string") applied++;
    }
    return applied;
  }
}
