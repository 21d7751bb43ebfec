import {
  ETL_JOB_SCHEDULED,
  etlSchedulerId,
  REPORTS_EVERY_MS,
  REPORTS_JOB,
  REPORTS_SCHEDULER_ID,
  SALT_JOB,
  SALT_ROTATION_EVERY_MS,
  SALT_SCHEDULER_ID,
  type EtlJobData,
} from "../../src/core/queues/etl";
import type { SchedulerSpec } from "../../src/core/queues/schedulers";

/**
 * Every job scheduler the ETL worker wants; anything else found in Redis is stale. With several
 * shards, each has its own pass scheduler, so each interval makes one job per shard for whichever
 * worker is free.
 */
export function declaredSchedulers(intervalSeconds: number, shards = 1): SchedulerSpec<EtlJobData>[] {
  const passes = Array.from({ length: shards }, (_, index): SchedulerSpec<EtlJobData> => ({
    id: etlSchedulerId(index, shards),
    everyMs: intervalSeconds * 1000,
    name: ETL_JOB_SCHEDULED,
    data: shards === 1 ? { trigger: "schedule" } : { trigger: "schedule", shard: { index, count: shards } },
  }));
  return [
    ...passes,
    { id: SALT_SCHEDULER_ID, everyMs: SALT_ROTATION_EVERY_MS, name: SALT_JOB, data: { trigger: "schedule" } },
    { id: REPORTS_SCHEDULER_ID, everyMs: REPORTS_EVERY_MS, name: REPORTS_JOB, data: { trigger: "schedule" } },
  ];
}
