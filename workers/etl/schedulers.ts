import type { Queue } from "bullmq";
import { ETL_JOB_SCHEDULED, ETL_SCHEDULER_ID, type EtlJobData, type EtlJobResult } from "../../src/core/queues/etl";

export interface SchedulerSpec {
  id: string;
  everyMs: number;
  name: string;
  data: EtlJobData;
}

/** Every job scheduler this worker wants; anything else found in Redis is stale. */
export function declaredSchedulers(intervalSeconds: number): SchedulerSpec[] {
  return [{ id: ETL_SCHEDULER_ID, everyMs: intervalSeconds * 1000, name: ETL_JOB_SCHEDULED, data: { trigger: "schedule" } }];
}

/**
 * Makes Redis hold exactly the declared schedulers: upserted (a changed interval replaces
 * the old one) and stale ones removed, so a restart with a new config takes effect.
 */
export async function reconcileSchedulers(
  queue: Queue<EtlJobData, EtlJobResult>,
  specs: SchedulerSpec[],
): Promise<{ upserted: string[]; removed: string[] }> {
  for (const spec of specs) {
    await queue.upsertJobScheduler(
      spec.id,
      { every: spec.everyMs },
      { name: spec.name, data: spec.data, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    );
  }
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
