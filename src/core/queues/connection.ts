import { Redis } from "ioredis";
import { getConfig } from "../config";

/**
 * A Redis connection for BullMQ. Workers need maxRetriesPerRequest: null so blocking
 * commands wait through Redis restarts instead of failing the worker.
 */
export function createRedisConnection(role: "worker" | "client" = "client"): Redis {
  return new Redis(getConfig().redis.url, {
    maxRetriesPerRequest: role === "worker" ? null : 2,
    enableOfflineQueue: role === "worker",
    connectTimeout: 2_000,
    lazyConnect: false,
  });
}
