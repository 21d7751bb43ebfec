/**
 * The whole path with real services: events posted to POST /api/events (real app, real key),
 * through Kafka and the consumer process into JSON Lines, an ETL pass (`npm run etl`), then
 * GET /api/analytics with a read key and the three tables hold the hand-computed numbers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readLogLines } from "../../support/consumer-harness";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { readDailyTables } from "../../support/etl";
import { closeCoreConnections, createIngestTestEnv, postEvents, type IngestTestEnv } from "../../support/ingest-env";
import { D1, D2, firstBatch, firstBatchRangeReport, firstBatchTables } from "../../support/specFixture";
import { startWorkerProcess, waitUntil, type WorkerProcess } from "../../support/worker";

let db: TestDatabase;
let logsDir: string;
let ingest: IngestTestEnv;
let app: RunningApp;
let consumer: WorkerProcess;
let workerEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase("etl_e2e");
  process.env.DATABASE_URL = db.url; // keys are created in this test's database
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-e2e-"));
  ingest = await createIngestTestEnv("etl_e2e");
  workerEnv = { ...process.env, ...ingest.appEnv, DATABASE_URL: db.url, LOGS_DIR: logsDir, LOG_LEVEL: "info" };
  [app, consumer] = await Promise.all([
    startApp({ name: "etl-e2e", env: { ...ingest.appEnv, DATABASE_URL: db.url, LOGS_DIR: logsDir } }),
    (async () => {
      const worker = startWorkerProcess("workers/consumer/main.ts", workerEnv, { label: "consumer" });
      await worker.waitForOutput('"msg":"consumer joined the group"');
      return worker;
    })(),
  ]);
});

afterAll(async () => {
  await Promise.all([app?.stop(), consumer?.stop()]);
  await ingest?.cleanup();
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

const logLines = async (): Promise<number> => (await readLogLines(logsDir, "events")).length;

async function runEtl(): Promise<string> {
  const etl = startWorkerProcess("workers/etl/run-once.ts", workerEnv, { label: "etl" });
  const { code } = await etl.exited;
  expect(code, etl.output.join("\n")).toBe(0);
  return etl.output.join("\n");
}

it("API → Kafka → consumer → ETL → /api/analytics gives the documented numbers, and a second pass changes nothing", async () => {
  const ingestKey = await ingest.newKey(["ingest", "backfill"]); // the fixture days are months old
  const readKey = await ingest.newKey(["read"]);

  // As an SDK would: a batch, then the rest as single events; one event is retried (same event_id).
  // As sent by a client: the site comes from the key, not the body.
  const [first, ...rest] = firstBatch.map(({ site_id: _, ...event }) => event);
  expect((await postEvents(app.url, { events: rest.slice(0, 8) }, { key: ingestKey.secret })).status).toBe(202);
  for (const event of [first!, ...rest.slice(8)]) {
    expect((await postEvents(app.url, event, { key: ingestKey.secret, via: "x-api-key" })).status).toBe(202);
  }
  await waitUntil(
    async () => (await logLines()) === firstBatch.length,
    30_000,
    async () => `${await logLines()} lines in the log`,
  );

  expect(await runEtl()).toMatch(new RegExp(`read ${firstBatch.length} new events`));
  expect(await readDailyTables(db.url)).toEqual(firstBatchTables);

  const url = `${app.url}/api/analytics?from=${D1}&to=${D2}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${readKey.secret}` } });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(firstBatchRangeReport);

  // An ingest-only key may not read; no key at all is refused.
  expect((await fetch(url, { headers: { authorization: `Bearer ${ingestKey.secret}` } })).status).toBe(403);
  expect((await fetch(url)).status).toBe(401);
  expect((await fetch(`${app.url}/api/analytics?from=2026-02-30`, { headers: { "x-api-key": readKey.secret } })).status).toBe(400);

  expect(await runEtl()).toMatch(/read 0 new events/);
  expect(await readDailyTables(db.url)).toEqual(firstBatchTables);
});

it("the same events sent with a second site's key: that site gets exactly the same numbers, and default's do not move", async () => {
  const { createSite } = await import("@/core/db/sites");
  const shop = await createSite({ name: "shop.example" });
  const ingestKey = await ingest.newKey(["ingest", "backfill"], { siteId: shop.id });
  const readKey = await ingest.newKey(["read"], { siteId: shop.id });
  // Same session ids, same user ids, same event ids as default's: still other sessions.
  const events = firstBatch.map(({ site_id: _, ...event }) => event);
  expect((await postEvents(app.url, { events }, { key: ingestKey.secret })).status).toBe(202);
  await waitUntil(
    async () => (await logLines()) === 2 * firstBatch.length,
    30_000,
    async () => `${await logLines()} lines in the log`,
  );
  expect(await runEtl()).toMatch(new RegExp(`read ${firstBatch.length} new events`));
  expect(await readDailyTables(db.url, shop.id)).toEqual(firstBatchTables);
  expect(await readDailyTables(db.url)).toEqual(firstBatchTables);
  const res = await fetch(`${app.url}/api/analytics?from=${D1}&to=${D2}`, { headers: { authorization: `Bearer ${readKey.secret}` } });
  expect(await res.json()).toEqual(firstBatchRangeReport);
});
