/**
 * The ETL worker process: registers the job scheduler (every cron.etl_interval_seconds)
 * and runs ETL passes from the queue, one at a time across all workers.
 */
import { Queue, Worker, type Job } from "bullmq";
import { getConfig } from "../../src/core/config";
import { getPrisma } from "../../src/core/db/client";
import { logger } from "../../src/core/logging/logger";
import { createRedisConnection } from "../../src/core/redis";
import { ETL_QUEUE, type EtlJobData, type EtlJobProgress, type EtlJobResult } from "../../src/core/queues/etl";
import { withEtlLock } from "./lock";
import { runEtlPass } from "./pass";
import { declaredSchedulers, reconcileSchedulers } from "./schedulers";

const SHUTDOWN_TIMEOUT_MS = Number(process.env.ETL_SHUTDOWN_TIMEOUT_MS ?? 30_000);
const log = logger.child({ service: "etl" });

async function processJob(job: Job<EtlJobData, EtlJobResult>): Promise<EtlJobResult> {
  const config = getConfig();
  const result = await withEtlLock(config.postgres.url, { wait: false }, (db) =>
    runEtlPass({
      prisma: getPrisma(),
      db,
      logsDir: config.logs.dir,
      trigger: job.data.trigger,
      onProgress: (stage, detail) => job.updateProgress({ stage, detail } satisfies EtlJobProgress),
    }),
  );
  if (!result) {
    log.info({ jobId: job.id, trigger: job.data.trigger }, "another ETL pass is running; skipping this one");
    return { skipped: true, reason: "another ETL pass was running" };
  }
  log.info({ jobId: job.id, ...result }, "ETL pass done");
  const { runId, eventsRead, sessionsRecomputed, daysRecomputed, rowsWritten, durationMs } = result;
  return { runId, eventsRead, sessionsRecomputed, daysRecomputed, rowsWritten, durationMs };
}

async function main(): Promise<void> {
  const config = getConfig();
  const started: { queue?: Queue<EtlJobData, EtlJobResult>; worker?: Worker<EtlJobData, EtlJobResult> } = {};

  // Signal handlers first, so a stop that arrives while starting up is still a clean one.
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing the current pass");
    const force = setTimeout(() => {
      log.error("shutdown timed out; exiting (an unfinished pass is rolled back)");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    void (async () => {
      await started.worker?.close();
      await started.queue?.close();
      await getPrisma().$disconnect();
      log.info("ETL worker stopped");
      process.exit(0);
    })();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  const queue = new Queue<EtlJobData, EtlJobResult>(ETL_QUEUE, { connection: createRedisConnection("worker") });
  started.queue = queue;
  const reconciled = await reconcileSchedulers(queue, declaredSchedulers(config.cron.etl_interval_seconds));
  log.info({ intervalSeconds: config.cron.etl_interval_seconds, ...reconciled }, "ETL job scheduler registered");
  if (stopping) return;

  const worker = new Worker<EtlJobData, EtlJobResult>(ETL_QUEUE, processJob, {
    connection: createRedisConnection("worker"),
    concurrency: 1,
    // A long pass keeps its job lock renewed; a dead worker's job is retried by another.
    lockDuration: 60_000,
  });
  worker.on("failed", (job, err) => log.error({ jobId: job?.id, err }, "ETL pass failed"));
  worker.on("error", (err) => log.error({ err }, "ETL worker error"));
  started.worker = worker;
  log.info("ETL worker ready");
}

main().catch((err: unknown) => {
  log.fatal({ err }, "ETL worker failed to start");
  process.exit(1);
});
