import { getConfig } from "../config";
import { getEtlQueue, getNextScheduledRun, type EtlQueue } from "../queues/etlQueue";
import { getPrisma } from "./client";

export interface EtlRunView {
  id: number;
  trigger: string;
  status: "running" | "succeeded" | "failed";
  startedAt: Date;
  finishedAt: Date | null;
  eventsRead: number;
  sessionsRecomputed: number;
  daysRecomputed: number;
  rowsWritten: number;
  error: string | null;
}

export interface EtlStatus {
  lastRun: EtlRunView | null;
  /** The last run that finished successfully (the numbers on screen come from it). */
  lastSuccess: EtlRunView | null;
  running: boolean;
  nextRunAt: Date | null;
  intervalSeconds: number;
}

export async function getRecentEtlRuns(limit = 10): Promise<EtlRunView[]> {
  return getPrisma().etlRun.findMany({ orderBy: { id: "desc" }, take: limit });
}

export async function getLastEtlRun(): Promise<EtlRunView | null> {
  return getPrisma().etlRun.findFirst({ orderBy: { id: "desc" } });
}

/** What the dashboard shows about the ETL: last run, whether one runs now, and when the next starts. */
export async function getEtlStatus(queue: EtlQueue = getEtlQueue()): Promise<EtlStatus> {
  const prisma = getPrisma();
  const [lastRun, lastSuccess, schedule, active] = await Promise.all([
    getLastEtlRun(),
    prisma.etlRun.findFirst({ where: { status: "succeeded" }, orderBy: { id: "desc" } }),
    getNextScheduledRun(queue).catch(() => null),
    queue.getActiveCount().catch(() => 0),
  ]);
  return {
    lastRun,
    lastSuccess,
    // A pass from `npm run etl` has no job, so its run row tells too.
    running: active > 0 || lastRun?.status === "running",
    nextRunAt: schedule?.nextRunAt ?? null,
    intervalSeconds: schedule?.everyMs ? Math.round(schedule.everyMs / 1000) : getConfig().cron.etl_interval_seconds,
  };
}
