import { getConfig } from "../config";
import { getEtlQueue, getNextScheduledRun, type EtlQueue } from "../queues/etlQueue";
import { getPrisma } from "./client";
import { getQuarantineSummary, type QuarantineSummary } from "./quarantine";

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
  quarantined: number;
  error: string | null;
}

export interface EtlStatus {
  lastRun: EtlRunView | null;
  /** The last run that finished successfully (the numbers on screen come from it). */
  lastSuccess: EtlRunView | null;
  running: boolean;
  nextRunAt: Date | null;
  intervalSeconds: number;
  /** Set when the last successful pass is older than the schedule allows (see etlOverdue). */
  overdue: EtlOverdue | null;
  /** What passes set aside instead of stopping. */
  quarantine: QuarantineSummary;
}

export interface EtlOverdue {
  /** When the last successful pass finished (null: none ever did). */
  lastSuccessAt: Date | null;
  /** By when the next one should have finished. */
  expectedBy: Date;
  message: string;
}

/** Slack beyond two intervals before a pass counts as overdue: a long pass or a slow start is not an alarm. */
const OVERDUE_GRACE_MS = 60_000;

/**
 * Whether passes have stopped: no successful pass within two intervals (plus a minute) of the
 * last one. Shown on the dashboard and in health details, so a stopped worker or a schedule lost
 * with Redis's data does not go unnoticed. `since` is when watching started (the first run) when
 * no pass ever succeeded.
 */
export function etlOverdue(lastSuccessAt: Date | null, since: Date | null, intervalSeconds: number, now = Date.now()): EtlOverdue | null {
  const from = lastSuccessAt ?? since;
  if (!from) return null;
  const expectedBy = new Date(from.getTime() + 2 * intervalSeconds * 1000 + OVERDUE_GRACE_MS);
  if (expectedBy.getTime() > now) return null;
  const minutes = Math.round((now - from.getTime()) / 60_000);
  return {
    lastSuccessAt,
    expectedBy,
    message: `${lastSuccessAt ? `No ETL pass has succeeded for ${minutes} min` : `No ETL pass has succeeded yet (${minutes} min after the first try)`}, though one is due every ${intervalSeconds} s: is the ETL worker running, and is its last error shown here?`,
  };
}

export async function getRecentEtlRuns(limit = 10): Promise<EtlRunView[]> {
  return getPrisma().etlRun.findMany({ orderBy: { id: "desc" }, take: limit });
}

export async function getLastEtlRun(): Promise<EtlRunView | null> {
  return getPrisma().etlRun.findFirst({ orderBy: { id: "desc" } });
}

/** What the dashboard shows about the ETL: last run, whether one runs now, and when the next starts. */
/** The ETL status a site's dashboard shows: the platform's passes, and what was set aside of that site. */
export async function getEtlStatus(siteId: string, queue: EtlQueue = getEtlQueue()): Promise<EtlStatus> {
  const prisma = getPrisma();
  const [lastRun, lastSuccess, firstRun, schedule, active, quarantine] = await Promise.all([
    getLastEtlRun(),
    prisma.etlRun.findFirst({ where: { status: "succeeded" }, orderBy: { id: "desc" } }),
    prisma.etlRun.findFirst({ orderBy: { id: "asc" }, select: { startedAt: true } }),
    getNextScheduledRun(queue).catch(() => null),
    queue.getActiveCount().catch(() => 0),
    getQuarantineSummary({ recent: 10, siteId }),
  ]);
  const intervalSeconds = schedule?.everyMs ? Math.round(schedule.everyMs / 1000) : getConfig().cron.etl_interval_seconds;
  return {
    lastRun,
    lastSuccess,
    // A pass from `npm run etl` has no job, so its run row tells too.
    running: active > 0 || lastRun?.status === "running",
    nextRunAt: schedule?.nextRunAt ?? null,
    intervalSeconds,
    overdue: etlOverdue(lastSuccess?.finishedAt ?? null, firstRun?.startedAt ?? null, intervalSeconds),
    quarantine,
  };
}
