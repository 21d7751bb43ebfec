/**
 * An ETL process killed with SIGKILL in the middle of writing leaves the previous numbers in
 * place, and the next pass completes the work correctly.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeDataset } from "../../support/dataset";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { DuckReference } from "../../support/duckdbReference";
import { readDailyTables, runPass } from "../../support/etl";
import { startWorkerProcess } from "../../support/worker";

const END = Date.parse("2026-05-01T00:00:00.000Z");
let db: TestDatabase;
let logsDir: string;

beforeAll(async () => {
  db = await createTestDatabase("etl_crash");
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-crash-"));
});

afterAll(async () => {
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

const runStatus = async (id?: number) =>
  (
    await queryRows<{ id: number; status: string; error: string | null }>(
      db.url,
      id === undefined
        ? "SELECT id, status, error FROM etl_runs ORDER BY id DESC LIMIT 1"
        : "SELECT id, status, error FROM etl_runs WHERE id = $1",
      id === undefined ? [] : [id],
    )
  )[0];

it("a pass killed mid-write changes nothing, and the next pass finishes the work", async () => {
  writeDataset(logsDir, { events: 20_000, days: 10, endMs: END, seed: 21, sessionIdPrefix: "before" });
  await runPass(db.url, logsDir);
  const before = await readDailyTables(db.url);
  expect(before.session_metrics.length).toBeGreaterThan(5);

  // Enough new events that writing them takes a while.
  writeDataset(logsDir, { events: 300_000, days: 10, endMs: END, seed: 22, sessionIdPrefix: "during" });
  const etl = startWorkerProcess("workers/etl/run-once.ts", { ...process.env, DATABASE_URL: db.url, LOGS_DIR: logsDir }, { label: "etl" });
  await etl.waitForOutput("read: ");
  etl.kill("SIGKILL");
  const exit = await etl.exited;
  expect(exit.signal).toBe("SIGKILL");

  // The kill landed before the commit: the run never finished and the tables are as before.
  const killed = await runStatus();
  expect(killed?.status).toBe("running");
  expect(await readDailyTables(db.url)).toEqual(before);

  const result = await runPass(db.url, logsDir);
  expect(result.eventsRead).toBeGreaterThan(250_000);
  // The next pass marks the killed run as interrupted.
  const interrupted = await runStatus(killed?.id);
  expect(interrupted).toMatchObject({ status: "failed", error: expect.stringContaining("interrupted") });

  const reference = await (await DuckReference.load(logsDir)).tables();
  const after = await readDailyTables(db.url);
  expect(after.session_metrics).toEqual(reference.session_metrics);
  expect(after.page_engagement).toEqual(reference.page_engagement);
  expect(after.click_through_rates).toEqual(reference.click_through_rates);
});
