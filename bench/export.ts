/**
 * npm run bench:export [-- --events 1000000] — raw export throughput and peak memory.
 *
 * Writes --events events of one site over 30 days as the consumer writes them, then measures in
 * the same run: `cat` of the site's log files into `gzip -6` (the ceiling: reading and compressing
 * the same bytes, nothing else), and the export of every event as NDJSON and as CSV through the
 * code of GET /api/export/events (bench/export-child.ts, each in its own process, so its peak RSS
 * is the export's).
 */
import { execFileSync, execSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeDataset } from "../test/support/dataset";

const { values } = parseArgs({ options: { events: { type: "string", default: "1000000" } } });
const EVENTS = Number(values.events);
const ROOT = path.resolve(import.meta.dirname, "..");
const END = Date.parse("2026-11-28T00:00:00Z");
const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

async function main(): Promise<void> {
  const logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-bench-export-"));
  const siteId = randomUUID();
  try {
    let written = 0;
    // In pieces of a million, each its own sessions, so memory stays small for 10M too.
    for (let done = 0; done < EVENTS; done += 1_000_000) {
      const events = Math.min(1_000_000, EVENTS - done);
      written += writeDataset(logsDir, { events, days: 30, endMs: END, seed: 40 + done, siteId, sessionIdPrefix: `b${done}` });
    }
    const siteDir = path.join(logsDir, "events", siteId);
    const bytes = Number(execSync(`du -sb ${siteDir}`).toString().split("\t")[0]);
    console.log(`${written.toLocaleString("en-US")} events, ${mb(bytes)} MB of logs (${os.cpus().length} cores)`);

    const t0 = performance.now();
    execSync(`find ${siteDir} -name '*.jsonl' -print0 | sort -z | xargs -0 cat | gzip -6 > /dev/null`, { shell: "/bin/bash" });
    const catSeconds = (performance.now() - t0) / 1000;
    console.log(
      `  cat | gzip -6 (ceiling): ${catSeconds.toFixed(2)} s, ${mb(bytes / catSeconds)} MB/s, ${Math.round(written / catSeconds).toLocaleString("en-US")} events/s`,
    );

    for (const format of ["ndjson", "csv"]) {
      const out = execFileSync(
        path.join(ROOT, "node_modules/.bin/tsx"),
        ["bench/export-child.ts", logsDir, siteId, "2026-10-01", "2026-11-30", format, "/dev/null"],
        { cwd: ROOT, encoding: "utf8" },
      );
      const r = JSON.parse(out.trim().split("\n").at(-1)!) as {
        seconds: number;
        events: number;
        bytes: number;
        gzipBytes: number;
        peakRssMb: number;
      };
      console.log(
        `  export ${format.padEnd(6)}: ${r.seconds.toFixed(2)} s, ${Math.round(r.events / r.seconds).toLocaleString("en-US")} events/s, ` +
          `${mb(bytes / r.seconds)} MB/s of logs read (${mb(r.bytes)} MB out, ${mb(r.gzipBytes)} MB gzipped), ` +
          `peak RSS ${r.peakRssMb.toFixed(0)} MB; ${((catSeconds / r.seconds) * 100).toFixed(0)}% of the ceiling`,
      );
    }
  } finally {
    await rm(logsDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
