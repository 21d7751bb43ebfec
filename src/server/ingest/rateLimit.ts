import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { getConfig } from "@/core/config";
import { getRedis } from "@/core/redis";

export type RateLimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

const WINDOW_SECONDS = 60;

interface IngestLimiter {
  limiter: RateLimiterRedis;
  limit: number;
  /** Keys known to have used up their window, so their requests are refused without Redis. */
  exhaustedUntil: Map<string, number>;
}

const globalForLimiter = globalThis as unknown as { pulseIngestLimiter?: IngestLimiter };

function ingestLimiter(): IngestLimiter {
  if (!globalForLimiter.pulseIngestLimiter) {
    const limit = getConfig().ingest.rate_limit_per_minute;
    globalForLimiter.pulseIngestLimiter = {
      limit,
      exhaustedUntil: new Map(),
      limiter: new RateLimiterRedis({
        storeClient: getRedis(),
        keyPrefix: "pulse:rl:ingest",
        points: limit,
        duration: WINDOW_SECONDS,
        // If Redis is down, each instance keeps counting on its own instead of refusing everything.
        insuranceLimiter: new RateLimiterMemory({ points: limit, duration: WINDOW_SECONDS }),
      }),
    };
  }
  return globalForLimiter.pulseIngestLimiter;
}

function secondsUntil(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Cheap pre-check without Redis: is this key known to be out of events for the current window?
 * Lets a flooding client get its 429 before its body is even read.
 */
export function knownExhausted(keyId: string): RateLimitResult {
  const state = ingestLimiter();
  const until = state.exhaustedUntil.get(keyId);
  if (until === undefined) return { ok: true };
  const left = until - Date.now();
  if (left > 0) return { ok: false, retryAfterSeconds: secondsUntil(left) };
  state.exhaustedUntil.delete(keyId);
  return { ok: true };
}

/**
 * Charges `events` to the key's per-minute budget (fixed window, shared by all instances through
 * Redis). A refused request is not charged: its points are given back, so a batch that does not
 * fit leaves room for smaller ones.
 */
export async function consumeEvents(keyId: string, events: number): Promise<RateLimitResult> {
  const state = ingestLimiter();
  try {
    await state.limiter.consume(keyId, events);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const retryAfterSeconds = secondsUntil(err.msBeforeNext);
    const before = err.consumedPoints - events;
    await state.limiter.reward(keyId, events).catch(() => undefined);
    if (before >= state.limit) state.exhaustedUntil.set(keyId, Date.now() + err.msBeforeNext);
    return { ok: false, retryAfterSeconds };
  }
}
