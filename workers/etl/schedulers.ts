import {
  ETL_JOB_SCHEDULED,
  ETL_SCHEDULER_ID,
  SALT_JOB,
  SALT_ROTATION_EVERY_MS,
  SALT_SCHEDULER_ID,
  type EtlJobData,
} from "../../src/core/queues/etl";
import type { SchedulerSpec } from "../../src/core/queues/schedulers";

/** Every job scheduler the ETL worker wants; anything else found in Redis is stale. */
export function declaredSchedulers(intervalSeconds: number): SchedulerSpec<EtlJobData>[] {
  return [
    { id: ETL_SCHEDULER_ID, everyMs: intervalSeconds * 1000, name: ETL_JOB_SCHEDULED, data: { trigger: "schedule" } },
    { id: SALT_SCHEDULER_ID, everyMs: SALT_ROTATION_EVERY_MS, name: SALT_JOB, data: { trigger: "schedule" } },
  ];
}
