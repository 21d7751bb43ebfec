/**
 * The sites migration on a database the previous version filled (test/fixtures/pre-sites, made by
 * that version's ETL from the logs beside it: see test/fixtures/pre-sites/README.md). After
 * `prisma migrate deploy` everything is in the site "default" and every number is what the
 * previous version showed; its key still works; the next ETL pass over the same logs finds
 * nothing new, and a rebuild from them gives the same numbers again.
 */
import { createHash, randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { getAnalyticsReport } from "@/core/db/analytics";
import { verifyApiKey } from "@/core/db/apiKeys";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { REPO_ROOT } from "../../support/app";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { readDailyTables, runPass } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";

const run = promisify(execFile);
const FIXTURE = path.join(REPO_ROOT, "test/fixtures/pre-sites");
/** The first migration of the sites version; the fixture's database has every migration before it. */
const SITES_MIGRATION = "20261202000000_sites";

interface Expected {
  secret: string;
  tables: Awaited<ReturnType<typeof readDailyTables>>;
  report: unknown;
}

let db: TestDatabase;
let logsDir: string;
let expected: Expected;

/** Applies the migrations before SITES_MIGRATION by hand and records them as Prisma does, so deploy sees them as applied. */
async function migrateToPreviousVersion(client: pg.Client): Promise<void> {
  const dir = path.join(REPO_ROOT, "prisma/migrations");
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && e.name < SITES_MIGRATION)
    .map((e) => e.name)
    .sort();
  await client.query(`CREATE TABLE _prisma_migrations (
    id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL,
    logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0)`);
  for (const name of names) {
    const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
    await client.query(sql);
    await client.query(
      "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)",
      [randomUUID(), createHash("sha256").update(sql).digest("hex"), name],
    );
  }
}

beforeAll(async () => {
  expected = JSON.parse(await readFile(path.join(FIXTURE, "expected.json"), "utf8")) as Expected;
  // An empty database (createTestDatabase migrates; drop its schema and start from nothing).
  db = await createTestDatabase("sites_migration");
  process.env.DATABASE_URL = db.url;
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    await migrateToPreviousVersion(client);
    await client.query(await readFile(path.join(FIXTURE, "data.sql"), "utf8"));
  } finally {
    await client.end();
  }
  // The logs the previous version wrote, where the ETL finds them. On a server they stay where they
  // are; here they are copies, so the cursors are pointed at the copies' inode and mtime.
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-presites-"));
  await cp(path.join(FIXTURE, "logs"), logsDir, { recursive: true });
  const cursors = await queryRows<{ path: string }>(db.url, "SELECT path FROM etl_file_cursors");
  for (const { path: rel } of cursors) {
    const info = await stat(path.join(logsDir, rel), { bigint: true });
    await queryRows(db.url, "UPDATE etl_file_cursors SET inode = $2, mtime_ms = $3 WHERE path = $1", [
      rel,
      info.ino.toString(),
      Math.trunc(Number(info.mtimeMs)),
    ]);
  }
  await run("npx", ["prisma", "migrate", "deploy"], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: db.url } });
}, 180_000);

afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
  if (logsDir) await rm(logsDir, { recursive: true, force: true });
});

it("moves everything into the site 'default': the same daily tables and the same report as before", async () => {
  const sites = await queryRows<{ id: string; name: string; time_zone: string }>(db.url, "SELECT id, name, time_zone FROM sites");
  expect(sites).toEqual([{ id: DEFAULT_SITE_ID, name: "default", time_zone: "UTC" }]);
  expect(await readDailyTables(db.url, DEFAULT_SITE_ID)).toEqual(expected.tables);
  const report = await getAnalyticsReport(DEFAULT_SITE_ID, { from: "2026-11-13", to: "2026-11-19" }, { limit: 100 });
  expect(JSON.parse(JSON.stringify(report))).toEqual(expected.report);
  for (const table of ["session_facts", "page_visit_facts", "click_facts", "session_metrics", "page_engagement", "click_through_rates"]) {
    const [row] = await queryRows<{ other: string }>(db.url, `SELECT count(*)::text AS other FROM ${table} WHERE site_id <> $1::uuid`, [
      DEFAULT_SITE_ID,
    ]);
    expect(row!.other, table).toBe("0");
  }
});

it("keeps the key made before: a secret key of the site 'default' with its scopes", async () => {
  const key = await verifyApiKey(expected.secret);
  expect(key).toMatchObject({ kind: "secret", siteId: DEFAULT_SITE_ID, scopes: ["ingest", "read"] });
});

it("makes the users there were admins", async () => {
  expect(await queryRows(db.url, "SELECT email, role::text FROM users")).toEqual([{ email: "admin@localhost", role: "admin" }]);
});

it("the next pass over the same logs finds nothing new, and a rebuild from them gives the same numbers", async () => {
  const next = await runPass(db.url, logsDir);
  expect(next.eventsRead).toBe(0);
  expect(await readDailyTables(db.url)).toEqual(expected.tables);
  const rebuilt = await runPass(db.url, logsDir, { rebuild: true });
  expect(rebuilt.eventsRead).toBeGreaterThan(1000);
  expect(await readDailyTables(db.url)).toEqual(expected.tables);
});
