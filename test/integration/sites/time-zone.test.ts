/**
 * A site's dates are days in its time zone (docs/metrics.md): 23:30 UTC on the 10th is already the
 * 11th in Berlin. Changing the zone moves the site's dates at the next pass, and nothing of another
 * site moves with it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { getAnalyticsReport } from "@/core/db/analytics";
import { createSite, getSite, updateSite } from "@/core/db/sites";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { readDailyTables, runPass, storedEvent, writeLogEvents } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";

let db: TestDatabase;
let logsDir: string;
let berlin: string;

/** One session of two page views, starting at `start` (ISO, UTC). */
function session(siteId: string, id: string, start: string) {
  const t = Date.parse(start);
  const at = (s: number) => new Date(t + s * 1000).toISOString();
  return [
    storedEvent(at(0), { site_id: siteId, event_type: "session_created", session_id: id, user_id: "u1" }),
    storedEvent(at(1), { site_id: siteId, event_type: "page_visited", session_id: id, user_id: "u1", page_path: "/" }),
    storedEvent(at(21), { site_id: siteId, event_type: "page_visited", session_id: id, user_id: "u1", page_path: "/shop" }),
    storedEvent(at(61), { site_id: siteId, event_type: "session_ended", session_id: id, user_id: "u1" }),
  ];
}

const dates = async (siteId: string) => (await readDailyTables(db.url, siteId)).session_metrics.map((r) => r.date);

beforeAll(async () => {
  db = await createTestDatabase("sites_time_zone");
  process.env.DATABASE_URL = db.url;
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-tz-"));
  berlin = (await createSite({ name: "berlin.example", timeZone: "Europe/Berlin" })).id;
  // The same instant on both sites; the session id is the same too.
  await writeLogEvents(logsDir, [
    ...session(berlin, "s1", "2026-11-10T23:30:00.000Z"),
    ...session(DEFAULT_SITE_ID, "s1", "2026-11-10T23:30:00.000Z"),
  ]);
  await runPass(db.url, logsDir);
});

afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

it("23:30 UTC is the next day for a site in Europe/Berlin, and the same day for a UTC site", async () => {
  expect(await dates(berlin)).toEqual(["2026-11-11"]);
  expect(await dates(DEFAULT_SITE_ID)).toEqual(["2026-11-10"]);
  const tables = await readDailyTables(db.url, berlin);
  expect(tables.page_engagement.map((r) => [r.date, r.page_path])).toEqual([
    ["2026-11-11", "/"],
    ["2026-11-11", "/shop"],
  ]);
  expect((await getAnalyticsReport(berlin, { from: "2026-11-11", to: "2026-11-11" })).summary.sessions).toBe(1);
  expect((await getAnalyticsReport(berlin, { from: "2026-11-10", to: "2026-11-10" })).summary.sessions).toBe(0);
});

it("a new time zone moves the site's dates at the next pass, and only that site's", async () => {
  const { recompute } = await updateSite(berlin, { timeZone: "America/Los_Angeles" });
  expect(recompute).toBe(true);
  expect((await getSite(berlin))!.recomputing).toBe(true);
  // Until the pass runs, the old dates stay (complete, not half-moved).
  expect(await dates(berlin)).toEqual(["2026-11-11"]);
  const result = await runPass(db.url, logsDir);
  expect(result.sitesRecomputed).toBe(1);
  expect(await dates(berlin)).toEqual(["2026-11-10"]); // 15:30 in Los Angeles
  expect((await getSite(berlin))!.recomputing).toBe(false);
  expect(await dates(DEFAULT_SITE_ID)).toEqual(["2026-11-10"]);
  // Same zone again: nothing to recompute.
  expect((await updateSite(berlin, { timeZone: "America/Los_Angeles" })).recompute).toBe(false);
  expect((await runPass(db.url, logsDir)).sitesRecomputed).toBe(0);
});
