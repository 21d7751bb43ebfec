/**
 * Dimensions, filters and breakdowns (docs/dimensions.md) against the independent DuckDB reference
 * (test/support/duckdbReference.ts), on generated sessions whose events carry dims as ingest stores
 * them: every breakdown of every dimension and filter combinations over three ranges, after a first
 * pass and again after late events (some of them a session's first events, which carry its dims).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../../src/core/events";
import { filtersSchema } from "../../../src/core/dimensions/filters";
import { DIMENSIONS } from "../../../src/core/dimensions/registry";
import { DEFAULT_SITE_ID } from "../../../src/core/sites/defaultSite";
import { LogWriter, writeDatasetHoldingBack } from "../../support/dataset";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { DuckReference, type ReferenceFilter } from "../../support/duckdbReference";
import { runPass } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";

const END = Date.parse("2026-06-30T00:00:00.000Z");
const RANGES = [
  { from: "2026-06-01", to: "2026-07-01" },
  { from: "2026-06-20", to: "2026-06-26" },
  { from: "2026-06-15", to: "2026-06-15" },
];

/** Each kind of filter docs/dimensions.md describes, alone and in ANDs. */
const FILTER_SETS: ReferenceFilter[][] = [
  [["channel", "is", "Organic Search"]],
  [
    ["channel", "is", "Organic Search"],
    ["device", "is", "mobile"],
  ],
  [["country", "is_not", "US"]],
  [["referrer", "contains", "GOOGLE"]],
  [["page", "is", "/pricing"]],
  [
    ["page", "is_not", "/docs"],
    ["browser", "contains", "saf"],
  ],
  [["event", "is", "outbound_click"]],
  [
    ["event", "is_not", "download"],
    ["utm_medium", "is", "email"],
  ],
  [
    ["entry_page", "is", "/"],
    ["country", "is", "unknown"],
  ],
  [
    ["page", "contains", "doc"],
    ["event", "contains", "VIDEO"],
    ["exit_page", "is_not", "/about"],
  ],
];

/** Breakdowns also checked under each filter set: one of each level. */
const FILTERED_BREAKDOWNS = ["channel", "country", "page", "event", "exit_page"];

let db: TestDatabase;
let logsDir: string;

beforeAll(async () => {
  db = await createTestDatabase("etl_dims_duckdb");
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-dims-"));
  process.env.DATABASE_URL = db.url;
});

afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

/** Every breakdown and every filter set over `ranges`; the filtered breakdowns over the first range. */
async function expectSameAsDuckDb(ranges: typeof RANGES): Promise<void> {
  const { getAnalyticsReport, getBreakdown } = await import("../../../src/core/db/analytics");
  const reference = await DuckReference.load(logsDir);
  const site = DEFAULT_SITE_ID;
  const [full] = RANGES;
  const all = await reference.report(full!.from, full!.to, site);
  for (const range of ranges) {
    for (const dimension of DIMENSIONS) {
      const got = await getBreakdown(site, range, dimension);
      const want = await reference.breakdown(dimension.name, range.from, range.to, site);
      expect(got.rows, `${dimension.name} ${range.from}..${range.to}`).toEqual(want);
    }
    for (const tuples of FILTER_SETS) {
      const filters = filtersSchema.parse(tuples);
      const label = `${JSON.stringify(tuples)} ${range.from}..${range.to}`;
      const report = await getAnalyticsReport(site, range, { filters });
      const want = await reference.report(range.from, range.to, site, tuples);
      expect(report.summary, label).toEqual(want.summary);
      expect(report.session_metrics, label).toEqual(want.session_metrics);
      expect(report.page_engagement, label).toEqual(want.page_engagement);
      expect(report.click_through_rates, label).toEqual(want.click_through_rates);
      if (range === full) {
        // Each set keeps some sessions and not all: a filter that matched nothing would prove little.
        expect(want.summary.sessions, label).toBeGreaterThan(10);
        expect(want.summary.sessions, label).toBeLessThan(all.summary.sessions);
      }
      for (const name of range === full ? FILTERED_BREAKDOWNS : []) {
        const got = await getBreakdown(
          site,
          range,
          DIMENSIONS.find((d) => d.name === name)!,
          { filters },
        );
        expect(got.rows, `${name} ${label}`).toEqual(await reference.breakdown(name, range.from, range.to, site, tuples));
      }
    }
  }
  // The data set exercises every dimension: several values each, unknown ones included.
  for (const dimension of DIMENSIONS) {
    const values = (await reference.breakdown(dimension.name, full!.from, full!.to, site)).map((r) => r.value);
    expect(values.length, dimension.name).toBeGreaterThanOrEqual(3);
    if (dimension.from === "dims") expect(values, dimension.name).toContain(dimension.unknown);
  }
}

describe("dimensions, filters and breakdowns agree exactly with DuckDB", () => {
  const late: StoredEvent[] = [];

  it("after a full pass over ~2,500 sessions", async () => {
    // One event in ten arrives after the first pass.
    late.push(
      ...writeDatasetHoldingBack(
        logsDir,
        {
          events: 30_000,
          days: 28,
          endMs: END,
          seed: 41,
          users: 500,
          duplicateRate: 0.02,
          clickWithoutPageRate: 0.1,
          longPauseRate: 0.05,
        },
        0.1,
        8,
      ),
    );
    const result = await runPass(db.url, logsDir);
    expect(result.sessionsRecomputed).toBeGreaterThan(2_000);
    await expectSameAsDuckDb(RANGES);
  });

  it("after late events: sessions take the dims of their new first event", async () => {
    const writer = new LogWriter(logsDir);
    for (const event of late) writer.add(event);
    writer.flush();
    const result = await runPass(db.url, logsDir);
    expect(result.eventsRead).toBe(writer.events);
    // The whole range only: what changed is which events each session has, not the dates asked.
    await expectSameAsDuckDb(RANGES.slice(0, 1));
  });
});
