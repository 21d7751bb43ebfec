/**
 * One measured step of bench:etl, in its own process so its peak memory is its own:
 *   tsx bench/etl-child.ts pass <logsDir>     one ETL pass (DATABASE_URL from the environment)
 *   tsx bench/etl-child.ts duckdb <logsDir>   the DuckDB reference over the same logs
 * Prints one JSON line: { seconds, maxRssMb, ... }.
 */
import { getConfig } from "../src/core/config";
import { getPrisma } from "../src/core/db/client";
import { DuckReference } from "../test/support/duckdbReference";
import { withEtlLock } from "../workers/etl/lock";
import { runEtlPass } from "../workers/etl/pass";

const [mode, logsDir] = process.argv.slice(2);
if (!logsDir || (mode !== "pass" && mode !== "duckdb")) {
  console.error("usage: etl-child.ts pass|duckdb <logsDir>");
  process.exit(2);
}

const started = performance.now();
let extra: Record<string, unknown> = {};
if (mode === "pass") {
  const result = await withEtlLock(getConfig().postgres.url, { wait: false }, (db) =>
    runEtlPass({ prisma: getPrisma(), db, logsDir, trigger: "cli" }),
  );
  if (!result) throw new Error("another ETL pass holds the lock");
  await getPrisma().$disconnect();
  extra = {
    eventsRead: result.eventsRead,
    sessions: result.sessionsRecomputed,
    days: result.daysRecomputed,
    rows: result.rowsWritten,
    ...result.timings,
  };
} else {
  const reference = await DuckReference.load(logsDir);
  const tables = await reference.tables();
  await reference.report("2000-01-01", "2100-01-01");
  extra = { rows: tables.session_metrics.length + tables.page_engagement.length + tables.click_through_rates.length };
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra }));
