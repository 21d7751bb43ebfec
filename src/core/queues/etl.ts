/** The ETL queue: its name, job names and payloads, shared by the ETL worker and the web app's "run now". */
export const ETL_QUEUE = "etl";
export const ETL_SCHEDULER_ID = "etl-every-interval";
export const ETL_JOB_SCHEDULED = "etl-pass";
export const ETL_JOB_MANUAL = "etl-pass-manual";
/**
 * The ETL worker's second schedule: the hourly rotation of the visitor salts (src/core/visitors/salt.ts).
 * It rides on the ETL queue and worker so it needs no Redis connections of its own.
 */
export const SALT_SCHEDULER_ID = "visitor-salts-hourly";
export const SALT_JOB = "rotate-visitor-salts";
export const SALT_ROTATION_EVERY_MS = 3_600_000;
/** The email reports (src/core/reports): every hour, each report whose period ended goes out once. */
export const REPORTS_SCHEDULER_ID = "email-reports-hourly";
export const REPORTS_JOB = "send-email-reports";
export const REPORTS_EVERY_MS = 3_600_000;

export type EtlTrigger = "schedule" | "manual" | "cli";

export interface EtlShard {
  index: number;
  /** cron.etl_shards when the job was made; a worker configured otherwise skips the job. */
  count: number;
}

export interface EtlJobData {
  trigger: EtlTrigger;
  requestedBy?: string;
  /** The shard of the sites this job's pass covers; absent: all sites (docs/etl.md, "Several workers"). */
  shard?: EtlShard;
  /** A "run now" over shards: this job waits for one child job per shard and sums their results. */
  summaryOfShards?: number;
}

/**
 * The shard a site's ETL work belongs to: from the site id's first 32 bits (ids are random UUIDs,
 * so sites spread evenly). All of a site's sessions and days are in one shard, so shards never
 * write the same rows and their results add up to exactly what one pass over all sites gives.
 */
export function shardOfSite(siteId: string, shards: number): number {
  const bits = Number.parseInt(siteId.slice(0, 8), 16);
  return Number.isFinite(bits) ? bits % shards : 0;
}

/** The id of a shard's pass scheduler: with one shard, the id schedulers had before shards. */
export function etlSchedulerId(shard: number, shards: number): string {
  return shards === 1 ? ETL_SCHEDULER_ID : `${ETL_SCHEDULER_ID}-shard-${shard}-of-${shards}`;
}

export interface EtlPassSummary {
  skipped?: false;
  runId: number;
  eventsRead: number;
  sessionsRecomputed: number;
  daysRecomputed: number;
  rowsWritten: number;
  durationMs: number;
  /** Lines, sessions and files the pass set aside instead of stopping. */
  quarantined: number;
}

/** A job either ran a pass or found another pass running (one pass at a time). */
export type EtlJobResult = EtlPassSummary | { skipped: true; reason: string };

/** What a salt rotation job returns: the days whose salts it deleted. */
export interface SaltJobResult {
  saltsDeleted: string[];
}

/** Progress a running pass reports to its job (shown by the dashboard). */
export interface EtlJobProgress {
  stage: "read" | "written";
  detail: Record<string, number>;
}
