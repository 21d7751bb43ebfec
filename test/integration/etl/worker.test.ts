/**
 * The ETL worker process with real Redis (BullMQ) and PostgreSQL: its job scheduler is
 * reconciled at boot, "run now" is deduplicated and reports its result, two workers never
 * run passes at the same time, and SIGTERM stops it cleanly.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/core/config/load";
import {
  ETL_QUEUE,
  ETL_SCHEDULER_ID,
  REPORTS_EVERY_MS,
  REPORTS_SCHEDULER_ID,
  SALT_ROTATION_EVERY_MS,
  SALT_SCHEDULER_ID,
  type EtlJobData,
  type EtlJobResult,
} from "../../../src/core/queues/etl";
import { saltDay } from "../../../src/core/visitors/salt";
import { writeDataset } from "../../support/dataset";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { startEtlWorkerProcess, waitUntil, type WorkerProcess } from "../../support/worker";
import { DEFAULT_SITE_ID } from "../../../src/core/sites/defaultSite";

const REDIS_DB = 12;
let db: TestDatabase;
let logsDir: string;
let redisUrl: string;
let queue: Queue<EtlJobData, EtlJobResult>;
const workers: WorkerProcess[] = [];

function startEtlWorker(intervalSeconds: number): WorkerProcess {
  const worker = startEtlWorkerProcess({ databaseUrl: db.url, redisUrl, logsDir, intervalSeconds });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  db = await createTestDatabase("etl_worker");
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-worker-"));
  const url = new URL(loadConfig().redis.url);
  url.pathname = `/${REDIS_DB}`;
  redisUrl = url.toString();
  process.env.REDIS_URL = redisUrl;
  process.env.DATABASE_URL = db.url;
  queue = new Queue(ETL_QUEUE, { connection: { url: redisUrl } });
  await queue.obliterate({ force: true });
  for (const s of await queue.getJobSchedulers(0, -1)) await queue.removeJobScheduler(s.id ?? s.key);
});

const maxRunId = async (): Promise<number> =>
  (await queryRows<{ id: number | null }>(db.url, "SELECT max(id) AS id FROM etl_runs"))[0]?.id ?? 0;

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  const { getEtlQueue } = await import("../../../src/core/queues/etlQueue");
  await getEtlQueue().close();
  const { getPrisma } = await import("../../../src/core/db/client");
  await getPrisma().$disconnect();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

describe("ETL worker", () => {
  it("registers exactly the configured scheduler at boot, replacing a changed interval and stale ones", async () => {
    await queue.upsertJobScheduler("legacy-nightly", { every: 86_400_000 }, { name: "old", data: { trigger: "schedule" } });
    const first = startEtlWorker(3600);
    await first.waitForOutput('"msg":"ETL worker ready"');
    const registered = async (): Promise<[string, number][]> =>
      (await queue.getJobSchedulers(0, -1)).map((s): [string, number] => [s.id ?? s.key, Number(s.every)]).sort();
    expect(await registered()).toEqual(
      [
        [ETL_SCHEDULER_ID, 3_600_000],
        [SALT_SCHEDULER_ID, SALT_ROTATION_EVERY_MS],
        [REPORTS_SCHEDULER_ID, REPORTS_EVERY_MS],
      ].sort(),
    );

    expect((await first.stop()).code).toBe(0);
    expect(first.output.join("\n")).toContain("ETL worker stopped");

    const second = startEtlWorker(120);
    await second.waitForOutput('"msg":"ETL worker ready"');
    expect(await registered()).toEqual(
      [
        [ETL_SCHEDULER_ID, 120_000],
        [SALT_SCHEDULER_ID, SALT_ROTATION_EVERY_MS],
        [REPORTS_SCHEDULER_ID, REPORTS_EVERY_MS],
      ].sort(),
    );
    expect((await second.stop()).code).toBe(0);
  });

  it("rotates the visitor salts at boot: makes today's and tomorrow's, deletes one older than yesterday", async () => {
    const redis = new Redis(redisUrl);
    const now = Date.now();
    const old = saltDay(now - 3 * 86_400_000);
    await redis.set(`pulse:salt:${old}`, "a salt that outlived its 48 hours");
    const worker = startEtlWorker(3600);
    await waitUntil(
      async () => (await redis.exists(`pulse:salt:${old}`)) === 0,
      30_000,
      () => worker.output.slice(-10).join("\n"),
    );
    for (const day of [saltDay(now), saltDay(now + 86_400_000)]) expect(await redis.ttl(`pulse:salt:${day}`)).toBeGreaterThan(0);
    expect(worker.output.join("\n")).toContain(old);
    expect((await worker.stop()).code).toBe(0);
    redis.disconnect();
  });

  it('"run now" is deduplicated while waiting and reports the pass it ran', async () => {
    const { enqueueManualEtlRun, getEtlJobState } = await import("../../../src/core/queues/etlQueue");
    const { getEtlStatus } = await import("../../../src/core/db/etlRuns");
    const worker = startEtlWorker(3600);
    // A worker's scheduler starts a pass at once; let it finish so the manual pass gets the new events.
    await waitUntil(
      async () => (await getEtlStatus(DEFAULT_SITE_ID)).lastRun?.status === "succeeded" && (await queue.getActiveCount()) === 0,
      60_000,
      () => worker.output.slice(-10).join("\n"),
    );
    const written = writeDataset(logsDir, { events: 5_000, days: 3, endMs: Date.parse("2026-04-01T00:00:00Z"), seed: 31 });
    const a = await enqueueManualEtlRun();
    const b = await enqueueManualEtlRun();
    expect(b.jobId).toBe(a.jobId);
    await waitUntil(
      async () => (await getEtlJobState(a.jobId))?.state === "completed",
      60_000,
      () => worker.output.slice(-10).join("\n"),
    );
    const state = await getEtlJobState(a.jobId);
    expect(state?.result).toMatchObject({ eventsRead: written, rowsWritten: expect.any(Number) });

    const runId = state?.result && !state.result.skipped ? state.result.runId : -1;
    const [run] = await queryRows(db.url, "SELECT trigger, status, events_read FROM etl_runs WHERE id = $1", [runId]);
    expect(run).toEqual({ trigger: "manual", status: "succeeded", events_read: written });
    const status = await getEtlStatus(DEFAULT_SITE_ID);
    expect(status.lastSuccess?.id).toBeGreaterThanOrEqual(runId);
    expect(status.nextRunAt).toBeInstanceOf(Date);
    expect(status.intervalSeconds).toBe(3600);
    expect((await worker.stop()).code).toBe(0);
  });

  it("two workers never run passes at the same time", async () => {
    const firstNewRun = (await maxRunId()) + 1;
    const written = writeDataset(logsDir, {
      events: 40_000,
      days: 3,
      endMs: Date.parse("2026-04-01T00:00:00Z"),
      seed: 32,
      sessionIdPrefix: "more",
    });
    const one = startEtlWorker(3600);
    const two = startEtlWorker(3600);
    await Promise.all([one.waitForOutput('"msg":"ETL worker ready"'), two.waitForOutput('"msg":"ETL worker ready"')]);
    const jobs = await Promise.all(
      [1, 2, 3, 4].map((n) => queue.add("etl-pass-manual", { trigger: "manual" }, { jobId: `parallel-${n}` })),
    );
    await waitUntil(
      async () => (await Promise.all(jobs.map((j) => j.getState()))).every((s) => s === "completed"),
      90_000,
      async () => JSON.stringify(await Promise.all(jobs.map((j) => j.getState()))),
    );
    await Promise.all([one.stop(), two.stop()]);
    // Passes started at boot, by schedule, and the four jobs (some skipped: the lock was taken).
    const runs = await queryRows<{ started_at: Date; finished_at: Date; events_read: number; status: string }>(
      db.url,
      "SELECT started_at, finished_at, events_read, status FROM etl_runs WHERE id >= $1 ORDER BY started_at",
      [firstNewRun],
    );
    expect(runs.every((r) => r.status === "succeeded")).toBe(true);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finished_at.getTime());
    }
    expect(runs.reduce((sum, r) => sum + r.events_read, 0)).toBe(written);
    const results = await Promise.all(jobs.map(async (j) => (await queue.getJob(j.id!))!.returnvalue));
    expect(results.every((r) => r !== null && r !== undefined)).toBe(true);
  });
});
