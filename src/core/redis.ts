import { Redis } from "ioredis";
import { getConfig } from "./config";
import { logger } from "./logging/logger";

/** Every Redis connection of the platform comes from here. */

const globalForRedis = globalThis as unknown as { pulseRedis?: Redis };

/**
 * The process's shared Redis connection for request-path work (key cache, ingest rate limit).
 * Auto-pipelining merges the commands of concurrent requests into one round trip; a short
 * command timeout keeps a hung Redis from hanging requests (callers fall back or fail fast).
 */
export function getRedis(): Redis {
  if (!globalForRedis.pulseRedis) {
    const redis = new Redis(getConfig().redis.url, {
      enableAutoPipelining: true,
      // The rate limiter's Lua script (rlflxIncr) breaks inside auto-pipelines on the first NOSCRIPT
      // ("results[i] is not iterable"), so it is sent on its own. The collector's visitor-session
      // script is pipelined: test/integration/collect/visitors.test.ts flushes the scripts under it.
      autoPipeliningIgnoredCommands: ["rlflxIncr", "evalsha", "eval"],
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
    });
    logErrorsQuietly(redis, "shared");
    globalForRedis.pulseRedis = redis;
  }
  return globalForRedis.pulseRedis;
}

/** ioredis retries forever and emits an error per attempt: one log line per connection per 10 s is enough. */
function logErrorsQuietly(redis: Redis, role: string): void {
  let lastLogged = 0;
  redis.on("error", (err: Error) => {
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      logger.warn({ err, role }, "redis connection error (retrying)");
    }
  });
}

/**
 * A dedicated connection for BullMQ. Workers need maxRetriesPerRequest: null so blocking
 * commands wait through Redis restarts instead of failing the worker.
 */
export function createRedisConnection(role: "worker" | "client" = "client"): Redis {
  const redis = new Redis(getConfig().redis.url, {
    maxRetriesPerRequest: role === "worker" ? null : 2,
    enableOfflineQueue: role === "worker",
    connectTimeout: 2_000,
    lazyConnect: false,
  });
  logErrorsQuietly(redis, `bullmq-${role}`);
  return redis;
}
