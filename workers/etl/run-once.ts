/**
 * `npm run etl`: one ETL pass now, in this process, printing what it read and wrote.
 * Waits if another pass (e.g. the ETL worker's) is running.
 * `npm run etl -- --rebuild` recomputes every table from all logs (in one transaction).
 */
import { parseArgs } from "node:util";
import { getConfig } from "../../src/core/config";
import { getPrisma } from "../../src/core/db/client";
import { describeQuarantineEntry, getQuarantineOfRun } from "../../src/core/db/quarantine";
import { withEtlLock } from "./lock";
import { runEtlPass } from "./pass";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rebuild: { type: "boolean", default: false } } });
  const config = getConfig();
  const prisma = getPrisma();
  try {
    const onWait = () => console.log("Another ETL pass is running; waiting for it to finish…");
    const result = (await withEtlLock(config.postgres.url, { wait: true, onWait, scope: { shards: config.cron.etl_shards } }, (db) =>
      runEtlPass({
        prisma,
        db,
        logsDir: config.logs.dir,
        trigger: "cli",
        rebuild: values.rebuild,
        onProgress: (stage, detail) => console.log(`  ${stage}: ${JSON.stringify(detail)}`),
      }),
    ))!;
    const seconds = (result.durationMs / 1000).toFixed(2);
    console.log(
      `ETL run #${result.runId} done in ${seconds} s: read ${result.eventsRead} new events from ${result.filesRead} log files` +
        `, recomputed ${result.sessionsRecomputed} sessions and ${result.daysRecomputed} days, wrote ${result.rowsWritten} rows.`,
    );
    const { lines, sessions, files } = result.quarantined;
    if (lines + sessions + files > 0) {
      console.log(
        `Set aside (not counted, kept in etl_quarantine and shown on the dashboard): ${lines} lines, ${sessions} sessions, ${files} file notices`,
      );
      const entries = await getQuarantineOfRun(result.runId, prisma);
      for (const entry of entries.slice(0, 20)) console.log(`  - ${describeQuarantineEntry(entry)}`);
      if (entries.length > 20) console.log(`  … and ${entries.length - 20} more`);
    }
    if (result.skippedLines > 0) console.log(`Skipped ${result.skippedLines} lines of sessions set aside by earlier passes.`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`ETL failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
