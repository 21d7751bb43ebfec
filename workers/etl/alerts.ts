import { Queue, Worker, type Job } from "bullmq";
import { evaluateAlertRules } from "../../src/core/alerts/evaluate";
import { deliverFiring } from "../../src/core/alerts/deliver";
import { logger } from "../../src/core/logging/logger";
import {
  ALERTS_CHECK_JOB,
  ALERTS_DELIVER_JOB,
  ALERTS_QUEUE,
  DELIVERY_ATTEMPTS,
  DELIVERY_BACKOFF_MS,
  type AlertsJobData,
} from "../../src/core/queues/alerts";
import { createRedisConnection } from "../../src/core/redis";

const log = logger.child({ service: "alerts" });
const KEEP = { removeOnComplete: { count: 200 }, removeOnFail: { count: 500 } };

/**
 * Alerts in the ETL worker process (docs/alerts.md): after each pass, a check
 * of every enabled rule (one job at a time: deduplicated while one waits), then a delivery job
 * per new firing, retried with backoff for the channels that failed.
 */
export function startAlerts(): { afterPass: () => Promise<void>; close: () => Promise<void> } {
  const queue = new Queue<AlertsJobData>(ALERTS_QUEUE, { connection: createRedisConnection("worker") });
  const worker = new Worker<AlertsJobData>(
    ALERTS_QUEUE,
    async (job: Job<AlertsJobData>) => {
      if (job.name === ALERTS_DELIVER_JOB) return deliverFiring(job.data.firingId!);
      const fired = await evaluateAlertRules();
      for (const f of fired) {
        log.info({ rule: f.rule.id, name: f.rule.name, window: f.window.start, value: f.value, baseline: f.baseline }, "alert fired");
        await queue.add(
          ALERTS_DELIVER_JOB,
          { firingId: f.firingId },
          { attempts: DELIVERY_ATTEMPTS, backoff: { type: "exponential", delay: DELIVERY_BACKOFF_MS }, ...KEEP },
        );
      }
      return { fired: fired.length };
    },
    { connection: createRedisConnection("worker"), concurrency: 2 },
  );
  worker.on("failed", (job, err) =>
    log.warn({ job: job?.name, firingId: job?.data.firingId, attempt: job?.attemptsMade, err: err.message }, "alerts job failed"),
  );
  return {
    afterPass: async () => {
      await queue.add(ALERTS_CHECK_JOB, {}, { deduplication: { id: "alerts-check" }, ...KEEP });
    },
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}
