import { createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { rawCsvChunks } from "./csv";
import { emptyStats, ndjsonChunks, type RawExportQuery, type RawExportStats } from "./rawEvents";

/**
 * A raw export written to a file by a job (docs/exports.md, "Big exports"): the same chunks as the
 * streamed download, gzip-compressed into exports.dir, renamed into place only when complete (so a
 * half-written file is never offered), with progress reported as it goes.
 */
export type ExportFormat = "ndjson" | "csv";

export const exportFileName = (jobId: string, format: ExportFormat) => `${jobId.replace(/[^A-Za-z0-9_-]/g, "_")}.${format}.gz`;

export async function writeExportFile(
  query: RawExportQuery,
  format: ExportFormat,
  file: string,
  onProgress: (stats: RawExportStats) => void | Promise<void>,
): Promise<RawExportStats> {
  await mkdir(path.dirname(file), { recursive: true });
  const stats = emptyStats();
  const partial = `${file}.partial`;
  let last = 0;
  const reported = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      if (Date.now() - last > 500) {
        last = Date.now();
        await onProgress(stats);
      }
      yield chunk;
    }
  };
  try {
    const chunks = format === "csv" ? rawCsvChunks(query, stats) : ndjsonChunks(query, stats);
    await pipeline(Readable.from(reported(chunks)), createGzip(), createWriteStream(partial));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  await onProgress(stats);
  return stats;
}

/** Deletes prepared exports older than keepHours (and partial files a killed job left). */
export async function deleteOldExports(dir: string, keepHours: number, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const deleted: string[] = [];
  for (const name of names) {
    if (!/\.(ndjson|csv)\.gz(\.partial)?$/.test(name)) continue;
    const file = path.join(dir, name);
    const { mtimeMs } = await stat(file);
    if (now - mtimeMs > keepHours * 3_600_000) {
      await rm(file, { force: true });
      deleted.push(name);
    }
  }
  return deleted;
}
