import type { Queue } from "bullmq";
import type { Logger } from "../logging/logger";

/**
 * Job schedulers declared in code and kept in Redis (docs/etl.md, "Schedules"). Every worker
 * that owns schedulers declares them as a list and calls keepSchedulersRegistered, so:
 * - at boot Redis holds exactly the declared ones (a changed interval replaces the old one,
 *   stale ones are removed);
 * - when Redis loses its data (a restart without persistence, a flush), the worker notices the
 *   scheduler is gone and registers it again, instead of silently never running again.
 */

export interface SchedulerSpec<Data> {
  id: string;
  everyMs: number;
  name: string;
  data: Data;
}

/** Makes Redis hold exactly the declared schedulers. */
export async function reconcileSchedulers<Data>(
  queue: Queue<Data>,
  specs: readonly SchedulerSpec<Data>[],
): Promise<{ upserted: string[]; removed: string[] }> {
  for (const spec of specs) await upsert(queue, spec);
  const wanted = new Set(specs.map((s) => s.id));
  const removed: string[] = [];
  for (const existing of await queue.getJobSchedulers(0, -1)) {
    const id = existing.id ?? existing.key;
    if (!wanted.has(id)) {
      await queue.removeJobScheduler(id);
      removed.push(id);
    }
  }
  return { upserted: specs.map((s) => s.id), removed };
}

function upsert<Data>(queue: Queue<Data>, spec: SchedulerSpec<Data>): Promise<unknown> {
  // BullMQ's generic job-name types do not line up with a plain string name; the queue is typed by its data.
  return (queue as Queue).upsertJobScheduler(
    spec.id,
    { every: spec.everyMs },
    { name: spec.name, data: spec.data, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  );
}

/** Registers again every declared scheduler that Redis no longer has; returns their ids. */
export async function restoreMissingSchedulers<Data>(queue: Queue<Data>, specs: readonly SchedulerSpec<Data>[]): Promise<string[]> {
  const restored: string[] = [];
  for (const spec of specs) {
    if (await queue.getJobScheduler(spec.id)) continue;
    await upsert(queue, spec);
    restored.push(spec.id);
  }
  return restored;
}

export interface SchedulerWatch {
  stop(): void;
}

/**
 * Reconciles at once, then checks every `checkEveryMs` (and whenever the queue's Redis connection
 * comes back) that each declared scheduler is still there, registering missing ones again.
 */
export async function keepSchedulersRegistered<Data>(
  queue: Queue<Data>,
  specs: readonly SchedulerSpec<Data>[],
  options: { checkEveryMs: number; log: Logger },
): Promise<{ upserted: string[]; removed: string[]; watch: SchedulerWatch }> {
  const reconciled = await reconcileSchedulers(queue, specs);
  let running = false;
  const check = async (why: string): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const restored = await restoreMissingSchedulers(queue, specs);
      if (restored.length > 0) {
        options.log.warn(
          { schedulers: restored, why },
          "job schedulers were missing from Redis (it restarted or lost its data); registered them again",
        );
      }
    } catch (err) {
      options.log.warn({ err }, "could not check the job schedulers in Redis; trying again later");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check("periodic check"), options.checkEveryMs);
  timer.unref();
  const client = await queue.client;
  const onReady = (): void => void check("Redis connection is back");
  client.on("ready", onReady);
  return {
    ...reconciled,
    watch: {
      stop() {
        clearInterval(timer);
        client.off("ready", onReady);
      },
    },
  };
}
