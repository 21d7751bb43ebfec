/**
 * The ETL's numbers against an independent DuckDB implementation of docs/metrics.md, computed
 * straight from the same JSON Lines files, on thousands of generated sessions: a full pass,
 * then an incremental pass where late events complete sessions the first pass already saw.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../../src/core/events";
import { datasetEvents, LogWriter, writeDatasetHoldingBack } from "../../support/dataset";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { DuckReference } from "../../support/duckdbReference";
import { readDailyTables, runPass } from "../../support/etl";
import { DEFAULT_SITE_ID } from "../../../src/core/sites/defaultSite";
import { closeCoreConnections } from "../../support/ingest-env";

const END = Date.parse("2026-06-30T00:00:00.000Z");
/** Facts go out in COPY batches of this many sessions while the pass reads (factWriter.ts): several per pass here. */
const BATCH = 500;
const FULL = { from: "2026-06-01", to: "2026-07-01" };
const WEEK = { from: "2026-06-20", to: "2026-06-26" };

let db: TestDatabase;
let logsDir: string;

beforeAll(async () => {
  db = await createTestDatabase("etl_duckdb");
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-duckdb-"));
  process.env.DATABASE_URL = db.url;
});

afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

/** The second site, made in the last case: its own time zone, and the same session ids as "default". */
let shop: { id: string; timeZone: string } | null = null;

async function expectSameAsDuckDb(): Promise<void> {
  const { getAnalyticsReport } = await import("../../../src/core/db/analytics");
  const reference = await DuckReference.load(logsDir, shop ? { [shop.id]: shop.timeZone } : {});
  for (const siteId of shop ? [DEFAULT_SITE_ID, shop.id] : [DEFAULT_SITE_ID]) {
    const tables = await readDailyTables(db.url, siteId);
    const expected = await reference.tables(siteId);
    expect(tables.session_metrics.length).toBeGreaterThan(20);
    expect(tables.session_metrics).toEqual(expected.session_metrics);
    expect(tables.page_engagement).toEqual(expected.page_engagement);
    expect(tables.click_through_rates).toEqual(expected.click_through_rates);
    for (const range of [FULL, WEEK]) {
      const report = await getAnalyticsReport(siteId, range);
      const want = await reference.report(range.from, range.to, siteId);
      expect(report.summary).toEqual(want.summary);
      expect(report.page_engagement).toEqual(want.page_engagement);
      expect(report.click_through_rates).toEqual(want.click_through_rates);
    }
  }
}

describe("ETL agrees exactly with DuckDB", () => {
  const late: StoredEvent[] = [];

  it("after a full pass over ~5,000 sessions", async () => {
    // One event in ten arrives after the first pass.
    late.push(
      ...writeDatasetHoldingBack(
        logsDir,
        {
          events: 60_000,
          days: 28,
          endMs: END,
          seed: 11,
          users: 600,
          duplicateRate: 0.02,
          clickWithoutPageRate: 0.1,
          longPauseRate: 0.05,
        },
        0.1,
        7,
      ),
    );
    const result = await runPass(db.url, logsDir, { factBatchSessions: BATCH });
    expect(result.sessionsRecomputed).toBeGreaterThan(4_000);
    await expectSameAsDuckDb();
  });

  it("after late events and new traffic, incrementally", async () => {
    const writer = new LogWriter(logsDir);
    for (const event of late) writer.add(event);
    for (const event of datasetEvents({ events: 5_000, days: 3, endMs: END, seed: 12, users: 600, sessionIdPrefix: "new" })) {
      writer.add(event);
    }
    writer.flush();
    const result = await runPass(db.url, logsDir, { factBatchSessions: BATCH });
    expect(result.eventsRead).toBe(writer.events);
    await expectSameAsDuckDb();
  });

  it("with a second site in Europe/Berlin whose session ids are the same as default's: each site its own numbers", async () => {
    const { createSite } = await import("../../../src/core/db/sites");
    const { getAnalyticsReport } = await import("../../../src/core/db/analytics");
    const before = await getAnalyticsReport(DEFAULT_SITE_ID, FULL);
    shop = await createSite({ name: "shop.example", timeZone: "Europe/Berlin" });
    const writer = new LogWriter(logsDir);
    // The same generator and seed as default's traffic: the same session and user ids, fewer events.
    for (const event of datasetEvents({ events: 20_000, days: 28, endMs: END, seed: 11, users: 600, siteId: shop.id })) writer.add(event);
    writer.flush();
    const result = await runPass(db.url, logsDir, { factBatchSessions: BATCH });
    expect(result.eventsRead).toBe(writer.events);
    await expectSameAsDuckDb();
    // Nothing of the new site leaked into default's numbers.
    expect(await getAnalyticsReport(DEFAULT_SITE_ID, FULL)).toEqual(before);
    expect((await getAnalyticsReport(shop.id, FULL)).summary.sessions).toBeLessThan(before.summary.sessions);
  });
});
