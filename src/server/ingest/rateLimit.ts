import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { getConfig } from "@/core/config";
import { getRedis } from "@/core/redis";

export type RateLimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

const WINDOW_SECONDS = 60;

/** Events taken from the shared budget at once while the limit is far: a hundredth of it. */
const CHUNK_SHARE = 0.01;
/** Taking whole chunks stops once fewer than this many chunks are left in the window: then every request is counted in Redis. */
const NEAR_CHUNKS = 4;
const MAX_RESERVATIONS = 50_000;

/** Events this process has taken from a key's budget for the current window and not used yet. */
interface Reservation {
  left: number;
  until: number;
  /** The window's budget was close to spent when this was taken: count exactly until it ends. */
  near: boolean;
}

interface IngestLimiter {
  limiter: RateLimiterRedis;
  limit: number;
  chunk: number;
  /** Keys known to have used up their window, so their requests are refused without Redis. */
  exhaustedUntil: Map<string, number>;
  reservations: Map<string, Reservation>;
}

const globalForLimiter = globalThis as unknown as { pulseIngestLimiter?: IngestLimiter };

function ingestLimiter(): IngestLimiter {
  if (!globalForLimiter.pulseIngestLimiter) {
    const limit = getConfig().ingest.rate_limit_per_minute;
    globalForLimiter.pulseIngestLimiter = {
      limit,
      chunk: Math.floor(limit * CHUNK_SHARE),
      exhaustedUntil: new Map(),
      reservations: new Map(),
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
 *
 * While the budget is far from spent, a process takes a hundredth of it at once and charges
 * requests against that in memory: one Redis round trip per chunk instead of per request. Near
 * the limit (fewer than NEAR_CHUNKS chunks left) it counts every request in Redis again, so the
 * limit is exact where it matters. What a process took and did not use by the window's end is
 * lost: a key may get up to a hundredth of its limit less per busy instance, never more.
 */
export async function consumeEvents(keyId: string, events: number): Promise<RateLimitResult> {
  const state = ingestLimiter();
  const now = Date.now();
  const held = state.reservations.get(keyId);
  if (held && held.until > now && held.left >= events) {
    held.left -= events;
    return { ok: true };
  }
  const reusable = held && held.until > now ? held : undefined;
  if (!reusable?.near && state.chunk >= 2 * events) {
    const taken = await take(state, keyId, state.chunk);
    if (taken) {
      reserve(state, keyId, { left: (reusable?.left ?? 0) + state.chunk - events, until: now + taken.msBeforeNext, near: taken.near });
      return { ok: true };
    }
  }
  try {
    const res = await state.limiter.consume(keyId, events);
    if (state.chunk > 0) reserve(state, keyId, { left: reusable?.left ?? 0, until: now + res.msBeforeNext, near: true });
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

/** Takes `points` from the shared budget, or nothing (given back) when they do not all fit. */
async function take(state: IngestLimiter, keyId: string, points: number): Promise<{ msBeforeNext: number; near: boolean } | null> {
  try {
    const res = await state.limiter.consume(keyId, points);
    return { msBeforeNext: res.msBeforeNext, near: res.remainingPoints < NEAR_CHUNKS * state.chunk };
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    await state.limiter.reward(keyId, points).catch(() => undefined);
    return null;
  }
}

function reserve(state: IngestLimiter, keyId: string, reservation: Reservation): void {
  const map = state.reservations;
  if (map.size >= MAX_RESERVATIONS) {
    const now = Date.now();
    for (const [id, r] of map) if (r.until <= now) map.delete(id);
    // Still full (that many keys busy at once): forget the oldest; their unused points are lost.
    while (map.size >= MAX_RESERVATIONS) map.delete(map.keys().next().value!);
  }
  map.delete(keyId);
  map.set(keyId, reservation);
}
