/**
 * SPEC §4/§5 fixtures run through the real ETL (JSON Lines files → PostgreSQL), with the
 * answers computed by hand from the definitions (see the comments beside each event).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../../src/core/events";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { readDailyTables, runPass, storedEvent, writeLogEvents } from "../../support/etl";

const D1 = "2026-03-10";
const D2 = "2026-03-11";
const at = (date: string, time: string): string => `${date}T${time}.000Z`;

const clickA = storedEvent(at(D1, "10:03:00"), { event_type: "button_clicked", user_id: "u1", session_id: "A", page_path: "/home", button_id: "signup_btn" });
const visitC = storedEvent(at(D1, "12:00:00"), { event_type: "page_visited", user_id: "u1", session_id: "C", page_path: "/home" });

const firstBatch: StoredEvent[] = [
  // Session A (u1): 7 min, 2 page views. /home 10:01→10:04 (next page_visited) = 180 s; /pricing 10:04→10:06 (page_closed) = 120 s.
  storedEvent(at(D1, "10:00:00"), { event_type: "session_created", user_id: "u1", session_id: "A" }),
  storedEvent(at(D1, "10:01:00"), { event_type: "page_visited", user_id: "u1", session_id: "A", page_path: "/home" }),
  clickA,
  storedEvent(at(D1, "10:04:00"), { event_type: "page_visited", user_id: "u1", session_id: "A", page_path: "/pricing" }),
  storedEvent(at(D1, "10:06:00"), { event_type: "page_closed", user_id: "u1", session_id: "A", page_path: "/pricing" }),
  storedEvent(at(D1, "10:07:00"), { event_type: "session_ended", user_id: "u1", session_id: "A" }),
  // Session B (u2), no session_ended: ends at its latest event 11:55 → 3300 s, 2 page views.
  // /home 11:00:30→11:50 = 2970 s, capped at 1800 s; /docs has no ending event → no time.
  storedEvent(at(D1, "11:00:00"), { event_type: "session_created", user_id: "u2", session_id: "B" }),
  storedEvent(at(D1, "11:00:30"), { event_type: "page_visited", user_id: "u2", session_id: "B", page_path: "/home" }),
  storedEvent(at(D1, "11:50:00"), { event_type: "page_visited", user_id: "u2", session_id: "B", page_path: "/docs" }),
  // A click without page_path counts under page_path ''.
  storedEvent(at(D1, "11:55:00"), { event_type: "button_clicked", user_id: "u2", session_id: "B", button_id: "chat" }),
  // Session C (u1): a bounce (1 page view), 45 s; its page_visited arrives twice with one event_id.
  visitC,
  { ...visitC },
  storedEvent(at(D1, "12:00:45"), { event_type: "page_closed", user_id: "u1", session_id: "C", page_path: "/home" }),
  // D2 has views but no clicks. Session D (u1 again): /home 09:00→09:10 (session_ended) = 600 s.
  storedEvent(at(D2, "09:00:00"), { event_type: "page_visited", user_id: "u1", session_id: "D", page_path: "/home" }),
  storedEvent(at(D2, "09:10:00"), { event_type: "session_ended", user_id: "u1", session_id: "D" }),
];

// Arrives a day late, after the first pass.
const lateBatch: StoredEvent[] = [
  // New session E (u4) on D1: /pricing 20:00→20:05 (session_ended) = 300 s, 1 page view.
  storedEvent(at(D1, "20:00:00"), { event_type: "page_visited", user_id: "u4", session_id: "E", page_path: "/pricing" }),
  storedEvent(at(D1, "20:05:00"), { event_type: "session_ended", user_id: "u4", session_id: "E" }),
  // Late event of known session B: closes /docs at 11:52 → 120 s; B's end stays 11:55.
  storedEvent(at(D1, "11:52:00"), { event_type: "page_closed", user_id: "u2", session_id: "B", page_path: "/docs" }),
  // A retry of A's click with the same event_id: still one click.
  { ...clickA },
];

let db: TestDatabase;
let logsDir: string;

beforeAll(async () => {
  db = await createTestDatabase("etl_fixtures");
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-fixtures-"));
  process.env.DATABASE_URL = db.url; // for getAnalyticsReport's shared client
});

afterAll(async () => {
  const { getPrisma } = await import("../../../src/core/db/client");
  await getPrisma().$disconnect();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

describe("ETL over hand-computed fixtures", () => {
  it("first pass: the three tables hold the SPEC §4 numbers", async () => {
    await writeLogEvents(logsDir, firstBatch);
    const result = await runPass(db.url, logsDir);
    expect(result.eventsRead).toBe(firstBatch.length);
    expect(result.sessionsRecomputed).toBe(4);

    const tables = await readDailyTables(db.url);
    expect(tables.session_metrics).toEqual([
      // 3 sessions, users u1+u2, (420+3300+45)/3 = 1255, 5/3 = 1.67 views, 1 bounce of 3 = 33.33 %.
      { date: D1, total_sessions: 3, unique_users: 2, avg_duration_seconds: 1255, avg_page_views: 1.67, total_page_views: 5, bounce_rate: 33.33 },
      { date: D2, total_sessions: 1, unique_users: 1, avg_duration_seconds: 600, avg_page_views: 1, total_page_views: 1, bounce_rate: 100 },
    ]);
    expect(tables.page_engagement).toEqual([
      { date: D1, page_path: "/docs", total_visits: 1, unique_users: 1, total_time_spent_seconds: 0, avg_time_spent_seconds: null },
      // 180 + 1800 + 45 = 2025 s over 3 timed visits.
      { date: D1, page_path: "/home", total_visits: 3, unique_users: 2, total_time_spent_seconds: 2025, avg_time_spent_seconds: 675 },
      { date: D1, page_path: "/pricing", total_visits: 1, unique_users: 1, total_time_spent_seconds: 120, avg_time_spent_seconds: 120 },
      { date: D2, page_path: "/home", total_visits: 1, unique_users: 1, total_time_spent_seconds: 600, avg_time_spent_seconds: 600 },
    ]);
    expect(tables.click_through_rates).toEqual([
      { date: D1, page_path: "", button_id: "chat", clicks: 1, views: 0, ctr: null },
      { date: D1, page_path: "/home", button_id: "signup_btn", clicks: 1, views: 3, ctr: 33.33 },
    ]);
  });

  it("the range report applies the definitions to the whole range, not to daily rows", async () => {
    const { getAnalyticsReport } = await import("../../../src/core/db/analytics");
    const report = await getAnalyticsReport({ from: D1, to: D2 });
    // Daily unique users add up to 3, but only u1 and u2 visited: 2. (420+3300+45+600)/4 = 1091.25.
    expect(report.summary).toEqual({ sessions: 4, users: 2, avg_duration_seconds: 1091.25, page_views: 6 });
    expect(report.session_metrics.map((r) => r.date)).toEqual([D1, D2]);
    expect(report.page_engagement).toEqual([
      // (2025 + 600) / 4 timed visits = 656.25; users u1, u2.
      { page_path: "/home", total_visits: 4, unique_users: 2, total_time_spent_seconds: 2625, avg_time_spent_seconds: 656.25 },
      { page_path: "/docs", total_visits: 1, unique_users: 1, total_time_spent_seconds: 0, avg_time_spent_seconds: null },
      { page_path: "/pricing", total_visits: 1, unique_users: 1, total_time_spent_seconds: 120, avg_time_spent_seconds: 120 },
    ]);
    // 1 click over 4 views of /home in the range = 25 %; '' has no views → NULL, listed last.
    expect(report.click_through_rates).toEqual([
      { page_path: "/home", button_id: "signup_btn", clicks: 1, views: 4, ctr: 25 },
      { page_path: "", button_id: "chat", clicks: 1, views: 0, ctr: null },
    ]);
    const oneDay = await getAnalyticsReport({ from: D2, to: D2 });
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
      { date: D1, total_sessions: 4, unique_users: 3, avg_duration_seconds: 1016.25, avg_page_views: 1.5, total_page_views: 6, bounce_rate: 50 },
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
  });

  it("a partly written last line is left for the next pass", async () => {
    const { appendFile } = await import("node:fs/promises");
    const { eventLogPath } = await import("../../../src/core/logs/paths");
    const event = storedEvent(at(D2, "09:05:00"), { event_type: "page_visited", user_id: "u9", session_id: "F", page_path: "/docs" });
    const line = JSON.stringify(event);
    const file = eventLogPath(logsDir, event.event_time);
    await appendFile(file, line.slice(0, 20));
    expect((await runPass(db.url, logsDir)).eventsRead).toBe(0);
    await appendFile(file, `${line.slice(20)}\n`);
    expect((await runPass(db.url, logsDir)).eventsRead).toBe(1);
    const d2 = (await readDailyTables(db.url)).session_metrics.find((r) => r.date === D2);
    expect(d2).toMatchObject({ total_sessions: 2, unique_users: 2 });
  });
});
