import { Queue } from "bullmq";
import type { DateRange, FilterTriple } from "../analytics/types";
import type { ExportFormat } from "../export/file";
import { createRedisConnection } from "../redis";

/** Raw exports prepared as files (docs/exports.md, "Big exports"): the queue the ETL worker process serves. */
export const EXPORTS_QUEUE = "exports";
export const RAW_EXPORT_JOB = "raw-export";

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
