/**
 * The daily salt rotation of the cookieless visitor ids (src/core/visitors/salt.ts), run by the ETL
 * worker as its own BullMQ queue: every hour it makes today's and tomorrow's salts and deletes
 * those older than yesterday, so no salt outlives 48 hours.
 */
import { Queue, Worker } from "bullmq";
import type { Logger } from "../../src/core/logging/logger";
import { getRedis, createRedisConnection } from "../../src/core/redis";
import { keepSchedulersRegistered, type SchedulerSpec, type SchedulerWatch } from "../../src/core/queues/schedulers";
import { rotateSalts } from "../../src/core/visitors/salt";

export const SALTS_QUEUE = "pulse-visitor-salts";
const SPECS: SchedulerSpec<Record<string, never>>[] = [{ id: "rotate-salts", everyMs: 3_600_000, name: "rotate-salts", data: {} }];

export interface SaltRotation {
  close(): Promise<void>;
}

export async function startSaltRotation(log: Logger): Promise<SaltRotation> {
  const queue = new Queue<Record<string, never>>(SALTS_QUEUE, { connection: createRedisConnection("worker") });
  const { watch }: { watch: SchedulerWatch } = await keepSchedulersRegistered(queue, SPECS, { checkEveryMs: 60_000, log });
  const worker = new Worker(
    SALTS_QUEUE,
    async () => {
      const deleted = await rotateSalts(getRedis());
      if (deleted.length > 0) log.info({ deleted }, "visitor salts older than 48 h deleted");
      return { deleted };
    },
    { connection: createRedisConnection("worker"), concurrency: 1 },
  );
  worker.on("failed", (_job, err) => log.error({ err }, "visitor salt rotation failed (retried next hour)"));
  // Without listeners, a connection error (Redis restarting, or closing at shutdown) would be an
  // unhandled 'error' event and end the process; BullMQ reconnects by itself.
  const onError = (err: Error): void => log.warn({ err }, "visitor salt rotation: Redis connection error (BullMQ retries)");
  worker.on("error", onError);
  queue.on("error", onError);
  return {
    async close() {
      watch.stop();
      await worker.close();
      await queue.close();
    },
  };
}
