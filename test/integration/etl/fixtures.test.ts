/**
 * docs/metrics.md fixtures run through the real ETL (JSON Lines files → PostgreSQL), with the
 * answers computed by hand from the definitions (see the comments beside each event).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { readDailyTables, runPass, storedEvent, writeLogEvents } from "../../support/etl";
import { at, D1, D2, firstBatch, firstBatchRangeReport, firstBatchTables, lateBatch } from "../../support/specFixture";
import { DEFAULT_SITE_ID } from "../../../src/core/sites/defaultSite";
import { closeCoreConnections } from "../../support/ingest-env";

let db: TestDatabase;
let logsDir: string;

beforeAll(async () => {
  db = await createTestDatabase("etl_fixtures");
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-fixtures-"));
  process.env.DATABASE_URL = db.url; // for getAnalyticsReport's shared client
});

afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

describe("ETL over hand-computed fixtures", () => {
  it("first pass: the three tables hold the docs/metrics.md numbers", async () => {
    await writeLogEvents(logsDir, firstBatch);
    const result = await runPass(db.url, logsDir);
    expect(result.eventsRead).toBe(firstBatch.length);
    expect(result.sessionsRecomputed).toBe(4);

    expect(await readDailyTables(db.url)).toEqual(firstBatchTables);
  });

  it("the range report applies the definitions to the whole range, not to daily rows", async () => {
    const { getAnalyticsReport } = await import("../../../src/core/db/analytics");
    expect(await getAnalyticsReport(DEFAULT_SITE_ID, { from: D1, to: D2 })).toEqual(firstBatchRangeReport);
    const oneDay = await getAnalyticsReport(DEFAULT_SITE_ID, { from: D2, to: D2 });
    expect(oneDay.summary).toEqual({ sessions: 1, users: 1, avg_duration_seconds: 600, page_views: 1 });
    expect(oneDay.click_through_rates).toEqual([]);
  });

  it("a second pass over the same logs changes nothing", async () => {
    const before = await readDailyTables(db.url);
    const result = await runPass(db.url, logsDir);
    expect(result.eventsRead).toBe(0);
    expect(await readDailyTables(db.url)).toEqual(before);
  });

  it("events arriving a day late update the day they belong to, and only it", async () => {
    const before = await readDailyTables(db.url);
    await writeLogEvents(logsDir, lateBatch);
    const result = await runPass(db.url, logsDir);
    expect(result.eventsRead).toBe(lateBatch.length);
    expect(result.sessionsRecomputed).toBe(3); // A, B and E
    expect(result.daysRecomputed).toBe(1);

    const tables = await readDailyTables(db.url);
    expect(tables.session_metrics).toEqual([
      // 4 sessions, users u1,u2,u4; (420+3300+45+300)/4 = 1016.25; 6/4 = 1.5 views; C and E bounce: 50 %.
      {
        date: D1,
        total_sessions: 4,
        unique_users: 3,
        avg_duration_seconds: 1016.25,
        avg_page_views: 1.5,
        total_page_views: 6,
        bounce_rate: 50,
      },
      before.session_metrics[1],
    ]);
    expect(tables.page_engagement).toEqual([
      { date: D1, page_path: "/docs", total_visits: 1, unique_users: 1, total_time_spent_seconds: 120, avg_time_spent_seconds: 120 },
      before.page_engagement[1],
      // 120 + 300 = 420 s over 2 visits by u1 and u4.
      { date: D1, page_path: "/pricing", total_visits: 2, unique_users: 2, total_time_spent_seconds: 420, avg_time_spent_seconds: 210 },
      before.page_engagement[3],
    ]);
    expect(tables.click_through_rates).toEqual(before.click_through_rates);

    // The range report follows at once: reports are cached per ETL pass, never across one.
    const { getAnalyticsReport } = await import("../../../src/core/db/analytics");
    const report = await getAnalyticsReport(DEFAULT_SITE_ID, { from: D1, to: D2 });
    // Users u1, u2, u4; (420+3300+45+300+600)/5 = 933.
    expect(report.summary).toEqual({ sessions: 5, users: 3, avg_duration_seconds: 933, page_views: 7 });
  });

  it("a partly written last line is left for the next pass", async () => {
    const { appendFile } = await import("node:fs/promises");
    const { eventLogPath } = await import("../../../src/core/logs/paths");
    const event = storedEvent(at(D2, "09:05:00"), { event_type: "page_visited", user_id: "u9", session_id: "F", page_path: "/docs" });
    const line = JSON.stringify(event);
    const file = eventLogPath(logsDir, event.site_id, event.event_time);
    await appendFile(file, line.slice(0, 20));
    expect((await runPass(db.url, logsDir)).eventsRead).toBe(0);
    await appendFile(file, `${line.slice(20)}\n`);
    expect((await runPass(db.url, logsDir)).eventsRead).toBe(1);
    const d2 = (await readDailyTables(db.url)).session_metrics.find((r) => r.date === D2);
    expect(d2).toMatchObject({ total_sessions: 2, unique_users: 2 });
  });

  it("a rebuild from all logs gives the same tables as the incremental passes", async () => {
    const before = await readDailyTables(db.url);
    const result = await runPass(db.url, logsDir, { rebuild: true });
    expect(result.eventsRead).toBe(firstBatch.length + lateBatch.length + 1);
    expect(await readDailyTables(db.url)).toEqual(before);
  });

  it("text with backslashes, quotes, markup and non-ASCII survives the bulk load exactly", async () => {
    const path = "/a\\b\\\\c\"d'e<script>/\u6f22\u5b57/\ud83d\ude00";
    const button = 'btn\\\\"x';
    await writeLogEvents(logsDir, [
      storedEvent("2026-03-12T08:00:00.000Z", { event_type: "page_visited", user_id: "u\\1", session_id: "S\\1", page_path: path }),
      storedEvent("2026-03-12T08:00:05.000Z", {
        event_type: "button_clicked",
        user_id: "u\\1",
        session_id: "S\\1",
        page_path: path,
        button_id: button,
      }),
    ]);
    await runPass(db.url, logsDir);
    const tables = await readDailyTables(db.url);
    expect(tables.page_engagement.filter((r) => r.date === "2026-03-12").map((r) => r.page_path)).toEqual([path]);
    expect(tables.click_through_rates.filter((r) => r.date === "2026-03-12").map((r) => [r.page_path, r.button_id])).toEqual([
      [path, button],
    ]);
  });
});
