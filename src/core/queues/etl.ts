/** The ETL queue: its name, job names and payloads, shared by the ETL worker and the web app's "run now". */
export const ETL_QUEUE = "etl";
export const ETL_SCHEDULER_ID = "etl-every-interval";
export const ETL_JOB_SCHEDULED = "etl-pass";
export const ETL_JOB_MANUAL = "etl-pass-manual";

export type EtlTrigger = "schedule" | "manual" | "cli";

export interface EtlJobData {
  trigger: EtlTrigger;
  requestedBy?: string;
}

export interface EtlJobResult {
  runId: number;
  eventsRead: number;
  sessionsRecomputed: number;
  daysRecomputed: number;
  rowsWritten: number;
  durationMs: number;
}
