/**
 * Redis losing its data never stops the pipeline (docs/etl.md, "Schedules"): with a Redis of the
 * test's own, the app, the consumer and the ETL worker run; Redis is killed and started again
 * empty (as this machine's Redis, which keeps nothing on disk, does on a restart). Ingest keeps
 * answering 202 meanwhile and loses nothing, and the ETL worker registers its schedule again by
 * itself, so the next scheduled pass counts every event.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { closeCoreConnections, createIngestTestEnv, postEvents, type IngestTestEnv } from "../../support/ingest-env";
import { startRedisServer, type RedisServer } from "../../support/redisServer";
import { startWorkerProcess, waitUntil, type WorkerProcess } from "../../support/worker";

let db: TestDatabase;
let logsDir: string;
let ingest: IngestTestEnv;
let app: RunningApp;
let consumer: WorkerProcess;
let etl: WorkerProcess;
let redis: RedisServer;
let key: string;

beforeAll(async () => {
  redis = await startRedisServer();
  db = await createTestDatabase("etl_redis_restart");
  process.env.DATABASE_URL = db.url;
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-redis-restart-"));
  ingest = await createIngestTestEnv("redis_restart");
  const env = {
    ...ingest.appEnv,
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    LOGS_DIR: logsDir,
    ETL_INTERVAL_SECONDS: "5",
  };
  const workerEnv = { ...process.env, ...env, LOG_LEVEL: "info" };
  consumer = startWorkerProcess("workers/consumer/main.ts", workerEnv, { label: "consumer" });
  etl = startWorkerProcess("workers/etl/main.ts", workerEnv, { label: "etl-worker" });
  [app] = await Promise.all([
    startApp({ name: "redis-restart", env }),
    consumer.waitForOutput('"msg":"consumer joined the group"'),
    etl.waitForOutput('"msg":"ETL worker ready"'),
  ]);
  key = (await ingest.newKey(["ingest"])).secret;
});

afterAll(async () => {
  await Promise.all([app?.stop(), consumer?.stop(), etl?.stop()]);
  await redis?.stop();
  await ingest?.cleanup();
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

const visits = async (): Promise<number> =>
  Number(
    (
      await queryRows<{ n: string | null }>(
        db.url,
        "SELECT sum(total_visits) AS n FROM page_engagement WHERE page_path = '/through-restart'",
      )
    )[0]?.n ?? 0,
  );

const scheduledPasses = async (): Promise<number> =>
  Number(
    (await queryRows<{ n: string }>(db.url, "SELECT count(*) AS n FROM etl_runs WHERE trigger = 'schedule' AND status = 'succeeded'"))[0]!
      .n,
  );

async function send(count: number): Promise<void> {
  const events = Array.from({ length: count }, () => ({
    event_type: "page_visited",
    user_id: "u",
    session_id: `restart-${randomUUID()}`,
    page_path: "/through-restart",
  }));
  const res = await postEvents(app.url, { events }, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
}

it("keeps ingesting while Redis is down, and the ETL worker registers its schedule again after Redis comes back empty", async () => {
  await send(5);
  await waitUntil(
    async () => (await visits()) === 5,
    60_000,
    async () => `${await visits()} of 5 visits counted by the scheduled passes`,
  );

  await redis.stop();
  // Ingest goes on without Redis: keys are checked in PostgreSQL, the rate limit counts in memory.
  await send(7);
  await redis.start(); // empty: the scheduler and the queue are gone
  await send(3);

  const passesBefore = await scheduledPasses();
  await etl.waitForOutput("job schedulers were missing from Redis", 60_000);
  await waitUntil(
    async () => (await visits()) === 15,
    90_000,
    async () => `${await visits()} of 15 visits counted; ETL worker says:\n${etl.output.slice(-10).join("\n")}`,
  );
  expect(await scheduledPasses()).toBeGreaterThan(passesBefore);
});
