/**
 * One raw export in its own process, for bench/export.ts and the export test: the site's events of
 * the range through the same code as GET /api/export/events (src/core/export), gzip-compressed to
 * a file (or /dev/null). Prints one JSON line: seconds, events, bytes read and written, peak RSS.
 *
 *   tsx bench/export-child.ts <logsDir> <siteId> <from> <to> <ndjson|csv> <out> [timeZone]
 */
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { rawCsvChunks } from "../src/core/export/csv";
import { emptyStats, ndjsonChunks } from "../src/core/export/rawEvents";

async function peakRssMb(): Promise<number> {
  const status = await readFile("/proc/self/status", "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  const [logsDir, siteId, from, to, format, out, timeZone = "UTC"] = process.argv.slice(2);
  const query = { logsDir: logsDir!, siteId: siteId!, range: { from: from!, to: to! }, timeZone };
  const stats = emptyStats();
  let bytes = 0;
  const counted = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      yield chunk;
    }
  };
  const t0 = performance.now();
  const file = createWriteStream(out!);
  await pipeline(Readable.from(counted(format === "csv" ? rawCsvChunks(query, stats) : ndjsonChunks(query, stats))), createGzip(), file);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, ...stats, bytes, gzipBytes: file.bytesWritten, peakRssMb: await peakRssMb() }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
