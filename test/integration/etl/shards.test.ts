/**
 * Two ETL worker processes sharing the work of four shards (cron.etl_shards = 4) over the same
 * logs, real BullMQ and PostgreSQL: one is SIGKILLed in the middle of a pass, the other finishes
 * every shard's work, and the tables equal those of one pass over all sites in another database.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/core/config/load";
import { ETL_QUEUE, shardOfSite, type EtlPassSummary } from "../../../src/core/queues/etl";
import { enqueueManualEtlRun, getEtlJobState, type EtlJobState, type EtlQueue } from "../../../src/core/queues/etlQueue";
import { writeDataset } from "../../support/dataset";
import { createTestDatabase, insertSites, oneSitePerShard, queryRows, type TestDatabase } from "../../support/db";
import { readDailyTables, runPass } from "../../support/etl";
import { emptyQueue, startEtlWorkerProcess, waitUntil, type WorkerProcess } from "../../support/worker";

const REDIS_DB = 13;
const SHARDS = 4;
const SITES = oneSitePerShard(SHARDS);

let db: TestDatabase;
let reference: TestDatabase;
let logsDir: string;
let redisUrl: string;
const workers: WorkerProcess[] = [];

function startEtlWorker(intervalSeconds = 5): WorkerProcess {
  const label = `etl-worker-${workers.length + 1}`;
  const worker = startEtlWorkerProcess({
    databaseUrl: db.url,
    redisUrl,
    logsDir,
    intervalSeconds,
    env: { ETL_SHARDS: String(SHARDS) },
    label,
  });
  workers.push(worker);
  return worker;
}

const allTables = () => Promise.all(SITES.map((site) => readDailyTables(db.url, site)));

beforeAll(async () => {
  [db, reference] = await Promise.all([createTestDatabase("etl_shards"), createTestDatabase("etl_shards_ref")]);
  await Promise.all([insertSites(db.url, SITES, "shard"), insertSites(reference.url, SITES, "shard")]);
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-shards-"));
  for (const [i, siteId] of SITES.entries()) {
    writeDataset(logsDir, {
      events: 20_000,
      days: 4,
      endMs: Date.parse("2026-05-01T00:00:00Z"),
      seed: 70 + i,
      siteId,
      sessionIdPrefix: `s${i}`,
    });
  }
  const url = new URL(loadConfig().redis.url);
  url.pathname = `/${REDIS_DB}`;
  redisUrl = url.toString();
  await emptyQueue(redisUrl, ETL_QUEUE);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await emptyQueue(redisUrl, ETL_QUEUE).catch(() => undefined);
  await Promise.all([db?.drop(), reference?.drop()]);
  await rm(logsDir, { recursive: true, force: true });
});

describe("ETL shards over two workers", () => {
  it("one worker killed mid-pass: the other finishes, and the tables equal one pass over all sites", async () => {
    expect(SITES.map((s) => shardOfSite(s, SHARDS))).toEqual([0, 1, 2, 3]);
    const one = await runPass(reference.url, logsDir);
    expect(one.eventsRead).toBeGreaterThan(70_000);
    const expected = await Promise.all(SITES.map((site) => readDailyTables(reference.url, site)));

    const [first, second] = [startEtlWorker(), startEtlWorker()];
    // Kill whichever worker is the first seen in the middle of a pass (its run row says who it is).
    let victim: { runId: number; shard: number; worker: string } | undefined;
    await waitUntil(
      async () => {
        const [row] = await queryRows<{ id: number; shard: number; worker: string }>(
          db.url,
          "SELECT id, shard, worker FROM etl_runs WHERE status = 'running' ORDER BY id LIMIT 1",
        );
        if (row) victim = { runId: row.id, shard: row.shard, worker: row.worker };
        return row !== undefined;
      },
      60_000,
      () => "no ETL pass started",
    );
    const killed = [first, second].find((w) => victim!.worker.endsWith(`/${w.child.pid}`))!;
    expect(killed, `the worker ${victim!.worker} is one of ours`).toBeDefined();
    killed.kill("SIGKILL");
    expect((await killed.exited).signal).toBe("SIGKILL");
    const survivor = killed === first ? second : first;

    // The survivor takes the dead worker's shard at its next scheduled job and does its work again.
    await waitUntil(
      async () => JSON.stringify(await allTables()) === JSON.stringify(expected),
      90_000,
      async () =>
        `tables differ from the reference; runs: ${JSON.stringify(await queryRows(db.url, "SELECT id, shard, status, worker, events_read FROM etl_runs ORDER BY id"))}`,
    );
    expect(await allTables()).toEqual(expected);

    const runs = await queryRows<{ id: number; shard: number | null; status: string; worker: string; error: string | null }>(
      db.url,
      "SELECT id, shard, status, worker, error FROM etl_runs ORDER BY id",
    );
    const interrupted = runs.find((r) => r.id === victim!.runId)!;
    expect(interrupted).toMatchObject({ status: "failed", error: expect.stringMatching(/^interrupted/) });
    const redone = runs.filter((r) => r.id > victim!.runId && r.shard === victim!.shard && r.status === "succeeded");
    expect(redone.length).toBeGreaterThan(0);
    expect(redone.every((r) => r.worker.endsWith(`/${survivor.child.pid}`))).toBe(true);
    // Every run was of one shard; none ran over all sites.
    expect(runs.every((r) => r.shard !== null && r.shard >= 0 && r.shard < SHARDS)).toBe(true);
  });

  it('"run now" runs every shard and reports their sum', async () => {
    // A worker whose schedule will not come again during the test: after its boot passes (one per
    // shard), only "run now" reads the events written next.
    await Promise.all(workers.map((w) => w.stop()));
    await emptyQueue(redisUrl, ETL_QUEUE);
    const before = (await queryRows<{ id: number }>(db.url, "SELECT coalesce(max(id), 0) AS id FROM etl_runs"))[0]!.id;
    startEtlWorker(3600);
    const booted = async () =>
      (await queryRows(db.url, "SELECT 1 FROM etl_runs WHERE id > $1 AND status = 'succeeded'", [before])).length === SHARDS;
    await waitUntil(booted, 60_000, () => "the boot passes of the four shards did not finish");
    const added = SITES.slice(0, 2).reduce(
      (sum, siteId, i) =>
        sum +
        writeDataset(logsDir, {
          events: 3_000,
          days: 1,
          endMs: Date.parse("2026-05-02T00:00:00Z"),
          seed: 90 + i,
          siteId,
          sessionIdPrefix: `n${i}`,
        }),
      0,
    );
    await runPass(reference.url, logsDir);
    const expected = await Promise.all(SITES.map((site) => readDailyTables(reference.url, site)));

    const queue: EtlQueue = new Queue(ETL_QUEUE, { connection: { url: redisUrl } });
    try {
      const { jobId } = await enqueueManualEtlRun(queue, "test", SHARDS);
      let state: EtlJobState | null = null;
      await waitUntil(
        async () => (state = await getEtlJobState(jobId, queue))?.state === "completed",
        60_000,
        () => JSON.stringify(state),
      );
      const result = state!.result as EtlPassSummary;
      expect(result.eventsRead).toBe(added);
      expect(await allTables()).toEqual(expected);
    } finally {
      await queue.close();
    }
  });
});
