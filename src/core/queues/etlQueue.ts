import { Queue } from "bullmq";
import { createRedisConnection } from "../redis";
import { ETL_JOB_MANUAL, ETL_QUEUE, ETL_SCHEDULER_ID, SALT_JOB, type EtlJobData, type EtlJobResult } from "./etl";

export type EtlQueue = Queue<EtlJobData, EtlJobResult>;

const globalForQueue = globalThis as unknown as { pulseEtlQueue?: EtlQueue };

/** The web app's handle on the ETL queue (one per process). */
export function getEtlQueue(): EtlQueue {
  globalForQueue.pulseEtlQueue ??= new Queue<EtlJobData, EtlJobResult>(ETL_QUEUE, {
    connection: createRedisConnection("client"),
  });
  return globalForQueue.pulseEtlQueue;
}

export type EnqueueResult = { status: "queued" | "already_running"; jobId: string };

/**
 * "Run now": queues one ETL pass unless one is running or already waiting, in which case
 * the caller gets that job to follow instead. The deduplication id makes two clicks at
 * the same moment produce one job.
 */
export async function enqueueManualEtlRun(queue: EtlQueue = getEtlQueue(), requestedBy?: string): Promise<EnqueueResult> {
  // The queue also carries the hourly salt rotation (SALT_JOB), which is not a pass to follow.
  const active = (await queue.getActive()).find((job) => job.name !== SALT_JOB);
  if (active?.id) return { status: "already_running", jobId: active.id };
  const job = await queue.add(
    ETL_JOB_MANUAL,
    { trigger: "manual", requestedBy },
    { deduplication: { id: "etl-manual" }, removeOnComplete: { age: 3600, count: 50 }, removeOnFail: { age: 86_400 } },
  );
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
  const job = await queue.getJob(jobId);
  if (!job) return null;
  const state = await job.getState();
  const known = ["waiting", "active", "completed", "failed", "delayed"] as const;
  return {
    jobId,
    state: (known as readonly string[]).includes(state) ? (state as EtlJobState["state"]) : "unknown",
    progress: job.progress,
    result: job.returnvalue ?? undefined,
    error: job.failedReason || undefined,
  };
}

/** When the scheduler will next start a pass, or null when no ETL worker has registered it. */
export async function getNextScheduledRun(queue: EtlQueue = getEtlQueue()): Promise<{ nextRunAt: Date; everyMs: number } | null> {
  const scheduler = await queue.getJobScheduler(ETL_SCHEDULER_ID);
  if (!scheduler?.next) return null;
  return { nextRunAt: new Date(scheduler.next), everyMs: Number(scheduler.every ?? 0) };
}
