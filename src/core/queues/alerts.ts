/** The alerts queue (docs/alerts.md): a check after each ETL pass, and one delivery job per firing. */
export const ALERTS_QUEUE = "alerts";
export const ALERTS_CHECK_JOB = "check-rules";
export const ALERTS_DELIVER_JOB = "deliver-firing";

export interface AlertsJobData {
  /** The firing a delivery job sends. */
  firingId?: number;
}

/** A delivery is tried this many times, 1 s, 2 s, 4 s… apart, for the channels that failed. */
export const DELIVERY_ATTEMPTS = 6;
export const DELIVERY_BACKOFF_MS = 1_000;
