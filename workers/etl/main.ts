/**
 * The ETL worker process: registers its job schedulers (an ETL pass every cron.etl_interval_seconds,
 * the visitor salt rotation every hour) and runs their jobs from the queue, one pass per shard of
 * the sites (cron.etl_shards) at a time across all workers (workers/etl/lock.ts).
 */
import { Queue, Worker, type Job } from "bullmq";
import { getConfig } from "../../src/core/config";
import { enableFactStore } from "../../src/core/db/analytics";
import { getPrisma } from "../../src/core/db/client";
import { logger } from "../../src/core/logging/logger";
import {
  ETL_QUEUE,
  REPORTS_JOB,
  SALT_JOB,
  type EtlJobData,
  type EtlJobProgress,
  type EtlPassSummary,
  type EtlJobResult,
  type SaltJobResult,
} from "../../src/core/queues/etl";
import { createRedisConnection, getRedis } from "../../src/core/redis";
import { rotateSalts } from "../../src/core/visitors/salt";
import { sendDueReports } from "../../src/core/reports/subscriptions";
import { withEtlLock } from "./lock";
import { runEtlPass } from "./pass";
import { keepSchedulersRegistered, type SchedulerWatch } from "../../src/core/queues/schedulers";
import { declaredSchedulers } from "./schedulers";
import { startAlerts } from "./alerts";
import { startExports } from "./exports";

const SHUTDOWN_TIMEOUT_MS = Number(process.env.ETL_SHUTDOWN_TIMEOUT_MS ?? 30_000);
/** How often the worker checks that Redis still has its scheduler (at most every 30 s, more often for short intervals). */
const SCHEDULER_CHECK_MAX_MS = 30_000;
const log = logger.child({ service: "etl" });
let alerts: ReturnType<typeof startAlerts> | undefined;
let exportsWorker: ReturnType<typeof startExports> | undefined;

type WorkerResult = EtlJobResult | SaltJobResult | { sent: number; failed: number };

function processJob(job: Job<EtlJobData, WorkerResult>): Promise<WorkerResult> {
  if (job.name === SALT_JOB) return rotateVisitorSalts();
  if (job.name === REPORTS_JOB) return sendDueReports();
  return job.data.summaryOfShards ? sumShardResults(job) : runPass(job);
}

/** The parent of a sharded "run now" (src/core/queues/etlQueue.ts): runs after its shards' jobs, and adds up what they did. */
async function sumShardResults(job: Job<EtlJobData, WorkerResult>): Promise<EtlJobResult> {
  const ran = Object.values(await job.getChildrenValues<EtlJobResult>()).filter((r): r is EtlPassSummary => !r.skipped);
  if (ran.length === 0) return { skipped: true, reason: "other ETL passes were running" };
  const sum = (pick: (r: EtlPassSummary) => number) => ran.reduce((total, r) => total + pick(r), 0);
  return {
    runId: Math.max(...ran.map((r) => r.runId)),
    eventsRead: sum((r) => r.eventsRead),
    sessionsRecomputed: sum((r) => r.sessionsRecomputed),
    daysRecomputed: sum((r) => r.daysRecomputed),
    rowsWritten: sum((r) => r.rowsWritten),
    durationMs: Math.max(...ran.map((r) => r.durationMs)),
    quarantined: sum((r) => r.quarantined),
  };
}

/** Makes today's and tomorrow's visitor salts and deletes older ones (docs/collector.md, "Visitors"). */
async function rotateVisitorSalts(): Promise<SaltJobResult> {
  const saltsDeleted = await rotateSalts(getRedis());
  if (saltsDeleted.length > 0) log.info({ saltsDeleted }, "visitor salts older than yesterday deleted");
  return { saltsDeleted };
}

async function runPass(job: Job<EtlJobData, WorkerResult>): Promise<EtlJobResult> {
  const config = getConfig();
  const shards = config.cron.etl_shards;
  const { shard } = job.data;
  if (shard && shard.count !== shards) {
    // Made before cron.etl_shards changed: its sites are not one shard of this count.
    log.warn({ jobId: job.id, shard, shards }, "ETL job made for another shard count; skipping it");
    return { skipped: true, reason: `made for ${shard.count} shards; cron.etl_shards is ${shards}` };
  }
  const result = await withEtlLock(config.postgres.url, { wait: false, scope: { shards, shard: shard?.index } }, (db) =>
    runEtlPass({
      prisma: getPrisma(),
      db,
      logsDir: config.logs.dir,
      trigger: job.data.trigger,
      shard,
      onProgress: (stage, detail) => job.updateProgress({ stage, detail } satisfies EtlJobProgress),
    }),
  );
  if (!result) {
    log.info({ jobId: job.id, trigger: job.data.trigger, shard }, "another ETL pass is running; skipping this one");
    return { skipped: true, reason: "another ETL pass was running" };
  }
  log.info({ jobId: job.id, shard, ...result }, "ETL pass done");
  // Rules are checked after every pass, an empty one too: a quiet hour is news for a "below" rule
  // (docs/alerts.md). A check that cannot be queued waits for the next pass.
  await alerts?.afterPass().catch((err: unknown) => log.warn({ err }, "could not queue the alerts check"));
  const setAside = result.quarantined.lines + result.quarantined.sessions + result.quarantined.files;
  if (setAside > 0)
    log.warn({ runId: result.runId, ...result.quarantined }, "ETL pass set lines aside (see the dashboard's ETL card or etl_quarantine)");
  const { runId, eventsRead, sessionsRecomputed, daysRecomputed, rowsWritten, durationMs } = result;
  return { runId, eventsRead, sessionsRecomputed, daysRecomputed, rowsWritten, durationMs, quarantined: setAside };
}

async function main(): Promise<void> {
  const config = getConfig();
  // Email reports cover a week or a month: PostgreSQL answers them without a copy of every fact here.
  await enableFactStore(false);
  const started: {
    queue?: Queue<EtlJobData, EtlJobResult>;
    worker?: Worker<EtlJobData, WorkerResult>;
    watch?: SchedulerWatch;
  } = {};

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
      started.watch?.stop();
      await started.worker?.close();
      await alerts?.close();
      await exportsWorker?.close();
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
  const intervalMs = config.cron.etl_interval_seconds * 1000;
  const { watch, ...reconciled } = await keepSchedulersRegistered(
    queue,
    declaredSchedulers(config.cron.etl_interval_seconds, config.cron.etl_shards),
    {
      checkEveryMs: Math.min(SCHEDULER_CHECK_MAX_MS, intervalMs),
      log,
    },
  );
  started.watch = watch;
  log.info({ intervalSeconds: config.cron.etl_interval_seconds, ...reconciled }, "ETL job scheduler registered");
  if (stopping) return;

  alerts = startAlerts();
  exportsWorker = startExports();
  const worker = new Worker<EtlJobData, WorkerResult>(ETL_QUEUE, processJob, {
    connection: createRedisConnection("worker"),
    concurrency: 1,
    // A long pass keeps its job lock renewed; a dead worker's job is retried by another.
    lockDuration: 60_000,
  });
  worker.on("failed", (job, err) => log.error({ jobId: job?.id, job: job?.name, err }, "ETL job failed"));
  let lastWorkerError = 0;
  worker.on("error", (err) => {
    // A Redis outage makes BullMQ report every reconnect attempt; one line per 10 s says it.
    if (Date.now() - lastWorkerError < 10_000) return;
    lastWorkerError = Date.now();
    log.error({ err }, "ETL worker error (BullMQ retries by itself)");
  });
  started.worker = worker;
  log.info("ETL worker ready");
}

main().catch((err: unknown) => {
  log.fatal({ err }, "ETL worker failed to start");
  process.exit(1);
});
