import type { Redis } from "ioredis";
import { liveKeys } from "@/core/live/keys";

/** A stream's lease lasts this long unless renewed (the hub renews at every heartbeat). */
export const LEASE_MS = 45_000;

// Drop leases that ran out (a web instance that died holding them), then take one if under the cap.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ${LEASE_MS})
return 1
`;

/**
 * The cap on open live streams per user or read key (`live.max_connections_per_user`), counted in
 * Redis so it holds over every web instance: a ZSET of connection ids scored by lease expiry.
 */
export async function acquireLease(redis: Redis, holder: string, connectionId: string, cap: number, nowMs = Date.now()): Promise<boolean> {
  const taken = await redis.eval(ACQUIRE, 1, liveKeys.connections(holder), nowMs, cap, nowMs + LEASE_MS, connectionId);
  return taken === 1;
}

export async function renewLeases(
  redis: Redis,
  leases: Array<{ holder: string; connectionId: string }>,
  nowMs = Date.now(),
): Promise<void> {
  if (leases.length === 0) return;
  const pipeline = redis.pipeline();
  for (const { holder, connectionId } of leases) {
    pipeline.zadd(liveKeys.connections(holder), "XX", nowMs + LEASE_MS, connectionId);
    pipeline.pexpire(liveKeys.connections(holder), LEASE_MS);
  }
  await pipeline.exec();
}

export async function releaseLease(redis: Redis, holder: string, connectionId: string): Promise<void> {
  await redis.zrem(liveKeys.connections(holder), connectionId);
}
