/**
 * `npm run etl`: one ETL pass now, in this process, printing what it read and wrote.
 * Waits if another pass (e.g. the ETL worker's) is running.
 * `npm run etl -- --rebuild` recomputes every table from all logs (in one transaction).
 */
import { parseArgs } from "node:util";
import { getConfig } from "../../src/core/config";
import { getPrisma } from "../../src/core/db/client";
import { withEtlLock } from "./lock";
import { runEtlPass } from "./pass";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rebuild: { type: "boolean", default: false } } });
  const config = getConfig();
  const prisma = getPrisma();
  try {
    const onWait = () => console.log("Another ETL pass is running; waiting for it to finish…");
    const result = (await withEtlLock(config.postgres.url, { wait: true, onWait }, (db) =>
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
        (result.malformedLines ? ` (${result.malformedLines} malformed lines skipped)` : "") +
        `, recomputed ${result.sessionsRecomputed} sessions and ${result.daysRecomputed} days, wrote ${result.rowsWritten} rows.`,
    );
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`ETL failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
