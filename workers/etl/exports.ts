import { stat } from "node:fs/promises";
import path from "node:path";
import { Worker, type Job } from "bullmq";
import { getConfig } from "../../src/core/config";
import { checkFilters } from "../../src/core/dimensions/filters";
import { deleteOldExports, exportFileName, writeExportFile } from "../../src/core/export/file";
import { sessionsMatching } from "../../src/core/export/sessions";
import { logger } from "../../src/core/logging/logger";
import { EXPORTS_QUEUE, type RawExportJobData, type RawExportProgress, type RawExportResult } from "../../src/core/queues/exports";
import { createRedisConnection } from "../../src/core/redis";

const log = logger.child({ service: "exports" });
const CLEANUP_EVERY_MS = 3_600_000;

/**
 * Big raw exports in the ETL worker process (docs/exports.md): one job writes one gzip file into
 * exports.dir with progress; files older than exports.keep_hours are deleted every hour.
 */
export function startExports(): { close: () => Promise<void> } {
  const config = getConfig();
  const dir = path.resolve(config.exports.dir);
  const worker = new Worker<RawExportJobData, RawExportResult>(
    EXPORTS_QUEUE,
    async (job: Job<RawExportJobData, RawExportResult>) => {
      const { siteId, timeZone, range, format } = job.data;
      const filters = checkFilters(job.data.filters);
      if (!filters.ok) throw new Error(`bad filters: ${filters.message}`);
      const sessions = filters.filters.length > 0 ? await sessionsMatching(siteId, range, filters.filters) : undefined;
      const file = path.join(dir, exportFileName(job.id!, format));
      const stats = await writeExportFile({ logsDir: config.logs.dir, siteId, range, timeZone, sessions }, format, file, (s) =>
        job.updateProgress({ events: s.events, filesRead: s.filesRead } satisfies RawExportProgress),
      );
      const { size } = await stat(file);
      log.info({ jobId: job.id, siteId, range, format, ...stats, bytes: size }, "raw export file ready");
      return { file: path.basename(file), events: stats.events, bytes: size };
    },
    { connection: createRedisConnection("worker"), concurrency: 1 },
  );
  worker.on("failed", (job, err) => log.warn({ jobId: job?.id, err: err.message }, "raw export failed"));
  const cleanup = () =>
    void deleteOldExports(dir, config.exports.keep_hours).then(
      (deleted) => deleted.length > 0 && log.info({ deleted }, "old raw exports deleted"),
      (err: unknown) => log.warn({ err }, "could not delete old raw exports"),
    );
  cleanup();
  const timer = setInterval(cleanup, CLEANUP_EVERY_MS);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await worker.close();
    },
  };
}
