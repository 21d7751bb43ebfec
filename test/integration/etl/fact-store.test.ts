/**
 * The dashboard's columnar copy of the facts (docs/dashboard-store.md, src/core/store) answers
 * exactly as PostgreSQL does, and follows every way the facts change: late events on old dates,
 * a small pass (reloaded by its sessions), a time zone change that recomputes a whole site, a
 * deleted site, and two writers whose commits come in the other order than their versions were
 * asked for.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Filter } from "../../../src/core/dimensions/filters";
import { DIMENSIONS } from "../../../src/core/dimensions/registry";
import { FactStore } from "../../../src/core/store/factStore";
import { DATA_VERSION_SQL, factChangesSql } from "../../../src/core/store/versions";
import { writeDataset, writeDatasetHoldingBack, LogWriter } from "../../support/dataset";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { runPass, storedEvent, writeLogEvents } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";

const END = Date.parse("2026-06-30T00:00:00.000Z");
const RANGES = [
  { from: "2026-06-01", to: "2026-06-30" },
  { from: "2026-06-20", to: "2026-06-26" },
];
const FILTER_SETS: Filter[][] = [
  [],
  [
    { dimension: "channel", operator: "is", value: "Organic Search" },
    { dimension: "device", operator: "is", value: "mobile" },
  ],
  [{ dimension: "page", operator: "is_not", value: "/docs" }],
  [{ dimension: "event", operator: "contains", value: "click" }],
];

let db: TestDatabase;
let logsDir: string;
let analytics: typeof import("../../../src/core/db/analytics");
let siteA: string;
let siteB: string;

beforeAll(async () => {
  db = await createTestDatabase("fact_store");
  process.env.DATABASE_URL = db.url;
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-fact-store-"));
  analytics = await import("../../../src/core/db/analytics");
  const { createSite } = await import("../../../src/core/db/sites");
  siteA = (await createSite({ name: "a.example", timeZone: "Europe/Berlin" })).id;
  siteB = (await createSite({ name: "b.example", timeZone: "UTC" })).id;
}, 60_000);

afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
  if (logsDir) await rm(logsDir, { recursive: true, force: true });
});

/** Every report and breakdown of `siteId` from one engine. */
async function everything(siteId: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const range of RANGES) {
    for (const filters of FILTER_SETS) {
      out.push(await analytics.getAnalyticsReport(siteId, range, { filters, limit: 25 }));
      for (const dimension of DIMENSIONS) out.push(await analytics.getBreakdown(siteId, range, dimension, { filters, limit: 10 }));
    }
  }
  return out;
}

/** The same reports from PostgreSQL and from the copy (which must have been used: it holds a version). */
async function expectEnginesAgree(siteId: string): Promise<unknown[]> {
  await analytics.enableFactStore(false);
  analytics.clearReportCaches();
  const fromPostgres = await everything(siteId);
  await analytics.enableFactStore(true);
  analytics.clearReportCaches();
  const fromCopy = await everything(siteId);
  expect(analytics.factStoreVersion()).toBeGreaterThan(0n);
  expect(fromCopy).toEqual(fromPostgres);
  return fromCopy;
}

/** PostgreSQL answers what the copy answered, as it was brought up to date (not reloaded); the copy is on again after. */
async function expectPostgresAnswers(siteId: string, fromCopy: unknown[]): Promise<void> {
  await analytics.enableFactStore(false);
  analytics.clearReportCaches();
  expect(fromCopy).toEqual(await everything(siteId));
  await analytics.enableFactStore(true);
}

describe("the dashboard's copy of the facts", () => {
  it("answers every report and breakdown exactly as PostgreSQL, and follows late events", async () => {
    const late = writeDatasetHoldingBack(logsDir, { events: 12_000, days: 30, endMs: END, seed: 5, siteId: siteA }, 0.1, 6);
    writeDataset(logsDir, { events: 4_000, days: 30, endMs: END, seed: 7, siteId: siteB, sessionIdPrefix: "b" });
    await runPass(db.url, logsDir);
    const first = await expectEnginesAgree(siteA);
    await expectEnginesAgree(siteB);

    // Late events land on old dates (and some are a session's first events): the copy takes them.
    const writer = new LogWriter(logsDir);
    for (const event of late) writer.add(event);
    writer.flush();
    await runPass(db.url, logsDir);
    const second = await expectEnginesAgree(siteA);
    expect(second).not.toEqual(first);
  }, 240_000);

  it("after a small pass, reloads only the sessions it rewrote, and still answers exactly as PostgreSQL", async () => {
    await analytics.enableFactStore(true);
    await analytics.warmFactStore();
    expect(analytics.factStoreLastSync()).toBe("all");
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows: known } = await client
      .query<{ session_id: string; user_id: string }>(
        "SELECT session_id, user_id FROM session_facts WHERE site_id = $1 ORDER BY session_id LIMIT 3",
        [siteA],
      )
      .finally(() => client.end());
    // Later events of three known sessions (one on another date than its start), and a new
    // session whose id needs its quote doubled in the copy's condition.
    await writeLogEvents(logsDir, [
      ...known.map((k, i) =>
        storedEvent(`2026-06-2${i + 2}T12:00:00.000Z`, {
          site_id: siteA,
          event_type: "page_visited",
          user_id: k.user_id,
          session_id: k.session_id,
          page_path: "/late",
        }),
      ),
      storedEvent("2026-06-24T08:00:00.000Z", {
        site_id: siteA,
        event_type: "page_visited",
        user_id: "u-new",
        session_id: "it's new",
        page_path: "/",
      }),
    ]);
    analytics.clearReportCaches();
    const before = await analytics.getAnalyticsReport(siteA, RANGES[0]!);
    await runPass(db.url, logsDir);
    analytics.clearReportCaches();
    const fromCopy = await everything(siteA);
    expect(analytics.factStoreLastSync()).toBe("sessions");
    expect((fromCopy[0] as typeof before).summary.sessions).toBe(before.summary.sessions + 1);
    await expectPostgresAnswers(siteA, fromCopy);

    // An id with a backslash is never inlined in the copy's condition: that pass syncs by its pairs.
    await analytics.warmFactStore();
    await writeLogEvents(logsDir, [
      storedEvent("2026-06-25T08:00:00.000Z", {
        site_id: siteA,
        event_type: "page_visited",
        user_id: "u-back",
        session_id: "back\\slash' OR TRUE --",
        page_path: "/",
      }),
    ]);
    await runPass(db.url, logsDir);
    analytics.clearReportCaches();
    const afterBackslash = await everything(siteA);
    expect(analytics.factStoreLastSync()).toBe("pairs");
    expect((afterBackslash[0] as typeof before).summary.sessions).toBe(before.summary.sessions + 2);
    await expectPostgresAnswers(siteA, afterBackslash);
  }, 240_000);

  it("follows a time zone change, which recomputes every date of the site", async () => {
    const { updateSite } = await import("../../../src/core/db/sites");
    const before = await analytics.getAnalyticsReport(siteB, RANGES[0]!);
    await updateSite(siteB, { timeZone: "Pacific/Auckland" });
    await runPass(db.url, logsDir);
    const after = await expectEnginesAgree(siteB);
    expect((after[0] as typeof before).session_metrics).not.toEqual(before.session_metrics);
  }, 240_000);

  it("copies awkward text exactly: quotes, commas, backslashes, \\N, emoji, 2 KB paths", async () => {
    const { createSite } = await import("../../../src/core/db/sites");
    const siteC = (await createSite({ name: "c.example", timeZone: "UTC" })).id;
    // What the event schema lets through (control characters are refused at ingest: hostile-input.test.ts).
    const paths = ['/a,"b"', "/it's;x\\y", "/ünï/😀", `/${"p".repeat(2046)}`, '/"', "/,", "/NULL", "/ "];
    const dims = { channel: 'Quote " and, comma', country: "\\N", browser: 'Edge "Chromium"', os: "日本語" };
    await writeLogEvents(
      logsDir,
      paths.flatMap((page, i) => [
        storedEvent(`2026-06-2${i % 8}T10:00:00.000Z`, {
          site_id: siteC,
          event_type: "page_visited",
          user_id: `u${i}`,
          session_id: `c${i}`,
          page_path: page,
          dims,
        }),
        storedEvent(`2026-06-2${i % 8}T10:00:05.000Z`, {
          site_id: siteC,
          event_type: "button_clicked",
          user_id: `u${i}`,
          session_id: `c${i}`,
          page_path: page,
          button_id: `b,"${i}"`,
          dims,
        }),
        storedEvent(`2026-06-2${i % 8}T10:00:06.000Z`, {
          site_id: siteC,
          event_type: `said.hi:${i}`,
          user_id: `u${i}`,
          session_id: `c${i}`,
          dims,
        }),
      ]),
    );
    await runPass(db.url, logsDir);
    await expectEnginesAgree(siteC);
    const page = DIMENSIONS.find((d) => d.name === "page")!;
    const rows = (await analytics.getBreakdown(siteC, RANGES[0]!, page)).rows.map((r) => r.value);
    expect(rows.sort()).toEqual([...paths].sort());
    const channel = DIMENSIONS.find((d) => d.name === "channel")!;
    expect((await analytics.getBreakdown(siteC, RANGES[0]!, channel)).rows.map((r) => r.value)).toEqual([dims.channel]);
  }, 120_000);

  it("drops a deleted site, and the keys of its session ids", async () => {
    const { deleteSite } = await import("../../../src/core/db/sites");
    // A second copy, read directly: the session keys it holds (src/core/store/sessionKeys.ts).
    const copy = new FactStore({ postgresUrl: db.url });
    const dataVersion = async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      return BigInt((await client.query<{ version: string }>(DATA_VERSION_SQL).finally(() => client.end())).rows[0]!.version);
    };
    const keyCounts = async () =>
      (
        await copy.query<{ keys: number; used: number }>(
          `SELECT (SELECT count(*) FROM session_keys) AS keys,
                  (SELECT count(*) FROM (SELECT session_id FROM session_facts UNION SELECT session_id FROM page_visit_facts
                     UNION SELECT session_id FROM click_facts UNION SELECT session_id FROM event_facts)) AS used`,
          [],
          await dataVersion(),
        )
      )[0]!;
    try {
      const loaded = await keyCounts();
      expect(loaded.used).toBeGreaterThan(0);
      expect(loaded.keys).toBe(loaded.used);

      analytics.clearReportCaches();
      expect((await analytics.getAnalyticsReport(siteB, RANGES[0]!)).summary.sessions).toBeGreaterThan(0);
      await deleteSite(siteB);
      const report = await analytics.getAnalyticsReport(siteB, RANGES[0]!);
      expect(report.summary.sessions).toBe(0);
      // A whole site is not a list of sessions: the copy reloads it by its stamped pairs.
      expect(analytics.factStoreLastSync()).toBe("pairs");
      expect((await analytics.getBreakdown(siteB, RANGES[0]!, DIMENSIONS[0]!)).rows).toEqual([]);

      // The deleted site's ids are no longer keyed: the dictionary holds only ids rows still use.
      const after = await keyCounts();
      expect(copy.lastSync).toBe("pairs");
      expect(after.used).toBeLessThan(loaded.used);
      expect(after.keys).toBe(after.used);
    } finally {
      await copy.close();
    }
  }, 60_000);

  it("when the copy cannot be brought up to date, PostgreSQL answers, and the copy catches up later", async () => {
    const some = async () => [
      await analytics.getAnalyticsReport(siteA, RANGES[0]!, { filters: FILTER_SETS[1]!, limit: 25 }),
      await analytics.getBreakdown(siteA, RANGES[1]!, DIMENSIONS[0]!, { filters: FILTER_SETS[2]! }),
    ];
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await analytics.enableFactStore(false);
      analytics.clearReportCaches();
      const fromPostgres = await some();
      await analytics.enableFactStore(true);
      await analytics.warmFactStore();
      const held = analytics.factStoreVersion()!;
      // A new data version whose changes the copy cannot read: fact_versions is gone.
      await client.query("ALTER TABLE fact_versions RENAME TO fact_versions_gone");
      const bump = factChangesSql({ pairs: [{ siteId: siteA, date: "2026-06-29" }], sites: [] })!;
      await client.query(bump.text.replace("INSERT INTO fact_versions ", "INSERT INTO fact_versions_gone "), bump.values);
      analytics.clearReportCaches();
      expect(await some()).toEqual(fromPostgres);
      expect(analytics.factStoreVersion()).toBe(held);

      await client.query("ALTER TABLE fact_versions_gone RENAME TO fact_versions");
      analytics.clearReportCaches();
      expect(await some()).toEqual(fromPostgres);
      expect(analytics.factStoreVersion()).toBe(held + 1n);
    } finally {
      await client.end();
    }
  }, 120_000);

  it("misses no commit when two writers commit in the other order than they started", async () => {
    const sessions = async () => (await analytics.getAnalyticsReport(siteA, { from: "2026-07-10", to: "2026-07-11" })).summary.sessions;
    const write = async (client: pg.Client, sessionId: string, date: string) => {
      await client.query(
        `INSERT INTO session_facts (site_id, session_id, user_id, date, start_time, end_time, duration_ms, page_views, last_event_at)
         VALUES ($1, $2, 'u', $3, now(), now(), 1000, 1, now())`,
        [siteA, sessionId, date],
      );
    };
    const first = new pg.Client({ connectionString: db.url });
    const second = new pg.Client({ connectionString: db.url });
    await Promise.all([first.connect(), second.connect()]);
    try {
      expect(await sessions()).toBe(0);
      await first.query("BEGIN");
      await second.query("BEGIN");
      await first.query("SELECT 1"); // the first writer's transaction starts first ...
      await write(second, "late-writer", "2026-07-11");
      await write(first, "early-writer", "2026-07-10");
      // ... but the second asks for its version first and commits first; the first waits for it.
      const changesOf = (date: string) => factChangesSql({ pairs: [{ siteId: siteA, date }], sites: [] })!;
      await second.query(changesOf("2026-07-11").text, changesOf("2026-07-11").values);
      const firstBump = first.query(changesOf("2026-07-10").text, changesOf("2026-07-10").values);
      await second.query("COMMIT");
      await firstBump;
      expect(await sessions()).toBe(1); // the copy synced here, holding the second writer's version
      await first.query("COMMIT");
      expect(await sessions()).toBe(2);
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  }, 60_000);
});
