/**
 * npm run bench:etl [-- --events 1000000 --days 30 --sites 1]
 *
 * Generates N events of realistic sessions over D days as JSON Lines, split evenly over --sites
 * sites (the same total), then measures, each in
 * its own process: one full ETL pass, one incremental pass after 1% more events (new traffic
 * on the last day plus late events for earlier days), and DuckDB computing the same
 * aggregates from the same files as the reference. Prints seconds, events/s and peak RSS.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import type { StoredEvent } from "../src/core/events";
import { DEFAULT_SITE_ID } from "../src/core/sites/defaultSite";
import { datasetEvents, LogWriter, type DatasetOptions } from "../test/support/dataset";
import { createTestDatabase } from "../test/support/db";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    days: { type: "string", default: "30" },
    sites: { type: "string", default: "1" },
    keep: { type: "boolean", default: false },
  },
});
const events = Number(values.events);
const days = Number(values.days);
const sites = Math.max(1, Number(values.sites));
const ROOT = path.resolve(import.meta.dirname, "..");
const END = Date.parse("2026-11-28T00:00:00.000Z");

interface Step {
  seconds: number;
  maxRssMb: number;
  eventsRead?: number;
  rows?: number;
  readMs?: number;
  writeMs?: number;
}

function measure(mode: "pass" | "duckdb", logsDir: string, env: NodeJS.ProcessEnv): Step {
  const out = execFileSync(path.join(ROOT, "node_modules/.bin/tsx"), ["bench/etl-child.ts", mode, logsDir], {
    cwd: ROOT,
    env: { ...env, LOG_LEVEL: "warn" },
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Step;
}

/** The sites the events are spread over: the default site (the migration made it) and more when asked for. */
async function createSites(url: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ids = [DEFAULT_SITE_ID];
    for (let i = 1; i < count; i++) {
      const { rows } = await client.query<{ id: string }>(
        "INSERT INTO sites (id, name, hostnames, updated_at) VALUES (gen_random_uuid(), $1, '{}', now()) RETURNING id",
        [`bench site ${i + 1}`],
      );
      ids.push(rows[0]!.id);
    }
    return ids;
  } finally {
    await client.end();
  }
}

/** The same total of events, split evenly over the sites (each its own sessions). */
function* acrossSites(siteIds: string[], options: Omit<DatasetOptions, "siteId">): Generator<StoredEvent> {
  for (const [i, siteId] of siteIds.entries()) {
    yield* datasetEvents({ ...options, events: Math.round(options.events / siteIds.length), seed: options.seed * 100 + i, siteId });
  }
}

function write(logsDir: string, generator: Iterable<Parameters<LogWriter["add"]>[0]>): number {
  const writer = new LogWriter(logsDir);
  for (const event of generator) writer.add(event);
  writer.flush();
  return writer.events;
}

const logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-bench-etl-"));
const db = await createTestDatabase("bench_etl");
const env = { ...process.env, DATABASE_URL: db.url, LOGS_DIR: logsDir };
try {
  let t = performance.now();
  const siteIds = await createSites(db.url, sites);
  const base = write(
    logsDir,
    acrossSites(siteIds, { events, days, endMs: END, seed: 1, duplicateRate: 0.005, clickWithoutPageRate: 0.05 }),
  );
  console.log(
    `generated ${base.toLocaleString()} events over ${days} days for ${sites} site(s) in ${((performance.now() - t) / 1000).toFixed(1)} s → ${logsDir}`,
  );

  const full = measure("pass", logsDir, env);
  const duckFull = measure("duckdb", logsDir, env);

  // 1% more: mostly new sessions on the last day, a tenth of them late events for the past week.
  t = performance.now();
  const extra = Math.round(base / 100);
  const fresh = write(
    logsDir,
    acrossSites(siteIds, { events: Math.round(extra * 0.9), days: 1, endMs: END, seed: 2, sessionIdPrefix: "inc" }),
  );
  const late = write(
    logsDir,
    acrossSites(siteIds, { events: extra - Math.round(extra * 0.9), days: 7, endMs: END - 86_400_000, seed: 3, sessionIdPrefix: "late" }),
  );
  console.log(
    `appended ${(fresh + late).toLocaleString()} events (${fresh} new, ${late} late) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const incremental = measure("pass", logsDir, env);

  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString();
  const rows = [
    ["full pass", full.eventsRead ?? 0, full],
    ["incremental pass (+1%)", incremental.eventsRead ?? 0, incremental],
    ["DuckDB reference (full)", base, duckFull],
  ] as const;
  console.log("\nstep                       events      seconds   events/s     peak RSS");
  for (const [name, n, step] of rows) {
    console.log(
      `${name.padEnd(26)} ${String(n.toLocaleString()).padStart(10)} ${step.seconds.toFixed(2).padStart(10)} ${rate(n, step.seconds).padStart(10)} ${step.maxRssMb.toFixed(0).padStart(9)} MB`,
    );
  }
  console.log(
    `\nfull pass: read ${full.readMs} ms, write ${full.writeMs} ms; ${(full.seconds / duckFull.seconds).toFixed(2)}× DuckDB; ` +
      `incremental = ${((100 * incremental.seconds) / full.seconds).toFixed(1)}% of the full pass`,
  );
  console.log("aims: full ≥ 200,000 events/s and ≤ 3× DuckDB; incremental < 10% of full; peak RSS < 512 MB at 1M events");
} finally {
  await db.drop();
  if (!values.keep) await rm(logsDir, { recursive: true, force: true });
}
