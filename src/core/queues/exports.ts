import { Queue } from "bullmq";
import type { DateRange, FilterTriple } from "../analytics/types";
import type { ExportFormat } from "../export/file";
import { createRedisConnection } from "../redis";

/** Raw exports prepared as files (docs/exports.md, "Big exports"): the queue the ETL worker process serves. */
export const EXPORTS_QUEUE = "exports";
export const RAW_EXPORT_JOB = "raw-export";

/**
 * The ids BullMQ gives the jobs exports.start adds (it sets none of its own): digits. Lookups take
 * nothing else: any other name could be one of the queue's own Redis keys (bull:exports:id,
 * :events, :wait), which getJob reads as a job and fails on, a 500 instead of "no such export".
 */
export const EXPORT_JOB_ID = /^\d{1,20}$/;

export interface RawExportJobData {
  siteId: string;
  timeZone: string;
  range: DateRange;
  format: ExportFormat;
  filters: FilterTriple[];
  requestedBy?: string;
}

export interface RawExportProgress {
  events: number;
  filesRead: number;
}

export interface RawExportResult {
  file: string;
  events: number;
  bytes: number;
}

export type ExportsQueue = Queue<RawExportJobData, RawExportResult>;

const globalForQueue = globalThis as unknown as { pulseExportsQueue?: ExportsQueue };

/** The web app's handle on the exports queue (one per process). */
export function getExportsQueue(): ExportsQueue {
  globalForQueue.pulseExportsQueue ??= new Queue<RawExportJobData, RawExportResult>(EXPORTS_QUEUE, {
    connection: createRedisConnection("client"),
  });
  return globalForQueue.pulseExportsQueue;
}
