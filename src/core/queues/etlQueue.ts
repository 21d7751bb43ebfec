import { FlowProducer, Queue } from "bullmq";
import { getConfig } from "../config";
import { createRedisConnection } from "../redis";
import { ETL_JOB_MANUAL, ETL_JOB_SCHEDULED, ETL_QUEUE, etlSchedulerId, type EtlJobData, type EtlJobResult } from "./etl";

export type EtlQueue = Queue<EtlJobData, EtlJobResult>;

const globalForQueue = globalThis as unknown as { pulseEtlQueue?: EtlQueue };
/** Flow producers (parent and child jobs in one step) on the same Redis as their queue. */
const flowProducers = new WeakMap<EtlQueue, FlowProducer>();

function flowsOf(queue: EtlQueue): FlowProducer {
  let flows = flowProducers.get(queue);
  if (!flows) {
    flows = new FlowProducer({ connection: queue.opts.connection, prefix: queue.opts.prefix });
    flowProducers.set(queue, flows);
  }
  return flows;
}

/** The web app's handle on the ETL queue (one per process). */
export function getEtlQueue(): EtlQueue {
  globalForQueue.pulseEtlQueue ??= new Queue<EtlJobData, EtlJobResult>(ETL_QUEUE, {
    connection: createRedisConnection("client"),
  });
  return globalForQueue.pulseEtlQueue;
}

export type EnqueueResult = { status: "queued" | "already_running"; jobId: string };

const KEEP = { removeOnComplete: { age: 3600, count: 50 }, removeOnFail: { age: 86_400 } };

/**
 * "Run now": queues one ETL pass unless one is running or already waiting, in which case
 * the caller gets that job to follow instead. The deduplication id makes two clicks at
 * the same moment produce one job. With several shards (cron.etl_shards), the pass is a job per
 * shard under one parent job that sums their results once they are all done: the one to follow.
 */
export async function enqueueManualEtlRun(
  queue: EtlQueue = getEtlQueue(),
  requestedBy?: string,
  shards: number = getConfig().cron.etl_shards,
): Promise<EnqueueResult> {
  // The queue also carries the hourly salt rotation and email reports, which are not passes to follow.
  const isPass = (name: string) => name === ETL_JOB_MANUAL || name === ETL_JOB_SCHEDULED;
  const active = [...(await queue.getWaitingChildren()), ...(await queue.getActive())].find((job) => isPass(job.name));
  if (active?.id) return { status: "already_running", jobId: active.id };
  if (shards > 1) {
    const { job } = await flowsOf(queue).add({
      name: ETL_JOB_MANUAL,
      queueName: queue.name,
      data: { trigger: "manual", requestedBy, summaryOfShards: shards } satisfies EtlJobData,
      opts: KEEP,
      children: Array.from({ length: shards }, (_, index) => ({
        name: ETL_JOB_MANUAL,
        queueName: queue.name,
        data: { trigger: "manual", requestedBy, shard: { index, count: shards } } satisfies EtlJobData,
        opts: KEEP,
      })),
    });
    if (!job.id) throw new Error("BullMQ returned a job without an id");
    return { status: "queued", jobId: job.id };
  }
  const job = await queue.add(ETL_JOB_MANUAL, { trigger: "manual", requestedBy }, { deduplication: { id: "etl-manual" }, ...KEEP });
  if (!job.id) throw new Error("BullMQ returned a job without an id");
  return { status: "queued", jobId: job.id };
}

export interface EtlJobState {
  jobId: string;
  state: "waiting" | "active" | "completed" | "failed" | "delayed" | "unknown";
  progress: unknown;
  result?: EtlJobResult;
  error?: string;
}

export async function getEtlJobState(jobId: string, queue: EtlQueue = getEtlQueue()): Promise<EtlJobState | null> {
  // The state first, then the job: read the other way round, a pass that finished in between
  // came back "completed" without its result (read before it was stored), and the dashboard,
  // which stops asking once a job is completed, never showed the pass's outcome.
  const raw = await queue.getJobState(jobId);
  const job = await queue.getJob(jobId);
  if (!job) return null;
  // A sharded "run now" is running while its parent waits for the shards' jobs.
  const state = raw === "waiting-children" ? "active" : raw;
  const known = ["waiting", "active", "completed", "failed", "delayed"] as const;
  return {
    jobId,
    state: (known as readonly string[]).includes(state) ? (state as EtlJobState["state"]) : "unknown",
    progress: job.progress,
    result: job.returnvalue ?? undefined,
    error: job.failedReason || undefined,
  };
}

/** When the scheduler will next start a pass (of the first shard), or null when no ETL worker has registered it. */
export async function getNextScheduledRun(
  queue: EtlQueue = getEtlQueue(),
  shards: number = getConfig().cron.etl_shards,
): Promise<{ nextRunAt: Date; everyMs: number } | null> {
  const scheduler = await queue.getJobScheduler(etlSchedulerId(0, shards));
  if (!scheduler?.next) return null;
  return { nextRunAt: new Date(scheduler.next), everyMs: Number(scheduler.every ?? 0) };
}
