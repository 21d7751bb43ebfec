/**
 * npm run bench:scale [-- --events 1000000 --etl-events 240000]
 *
 * How the pipeline's workers scale out, each figure measured in this run:
 * 1. Consumer: --events synthetic events on a 6-partition topic, read by 1, 2 and 3 consumer
 *    processes of one group (a fresh group and log dir each time). Counted from the moment the
 *    group is stable with all its members (start-up and the joining rebalances left out) until
 *    every offset is committed.
 * 2. ETL: --etl-events events over 6 sites, ETL_SHARDS=6, run by 1, 2 and 3 ETL worker processes
 *    (a fresh database each time), from the first pass's start to the last one's end (etl_runs).
 * 3. Broker loss, on the local three-broker cluster if it runs (scripts/kafka/cluster.sh start;
 *    else skipped): batches of 100 through the platform's producer from 4 senders, node 2
 *    SIGKILLed after 5 s and started again after 15 s: how long sends waited, and how long until
 *    send latency was back to what it was before.
 * On 2 cores, more processes than cores cannot add CPU: the curve shows how much of a second
 * core a second process gets, and that a third costs little (it waits on fsync and the network).
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../src/core/config/load";
import type { StoredEvent } from "../src/core/events";
import { EventProducer, KafkaUnavailableError } from "../src/core/kafka/producer";
import { ensureTopics } from "../src/core/kafka/topics";
import { ETL_QUEUE } from "../src/core/queues/etl";
import {
  connectProducer,
  createConsumerTestEnv,
  produceSyntheticEvents,
  startConsumerProcess,
  stopConsumerProcess,
} from "../test/support/consumer-harness";
import { writeDataset } from "../test/support/dataset";
import { createTestDatabase, insertSites, oneSitePerShard, queryRows } from "../test/support/db";
import { cpuSeconds, emptyQueue, startEtlWorkerProcess, waitUntil, type WorkerProcess } from "../test/support/worker";

const { values } = parseArgs({
  options: { events: { type: "string", default: "1000000" }, "etl-events": { type: "string", default: "240000" } },
});
const EVENTS = Number(values.events);
const ETL_EVENTS = Number(values["etl-events"]);
const COUNTS = [1, 2, 3];
const PARTITIONS = 6;
const SHARDS = 6;
const CLUSTER = (process.env.KAFKA_CLUSTER_BROKERS ?? "127.0.0.1:9192,127.0.0.1:9193,127.0.0.1:9194").split(",");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString("en-US");

async function consumers(): Promise<void> {
  const t = await createConsumerTestEnv("scale", PARTITIONS);
  const producer = await connectProducer(t.kafka);
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    const p0 = performance.now();
    await produceSyntheticEvents(producer, t.topic, EVENTS);
    const produced = (performance.now() - p0) / 1000;
    console.log(
      `\nConsumer: ${EVENTS.toLocaleString("en-US")} events on ${PARTITIONS} partitions (${os.cpus().length} cores; ` +
        `produced beforehand at ${rate(EVENTS, produced)} events/s)`,
    );
    for (const count of COUNTS) {
      const groupId = `${t.groupId}-${count}`;
      const logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-scale-consumer-"));
      const committed = async () => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [t.topic] });
        return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      };
      const stable = async () => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0]?.state === "Stable" && groups[0].members.length === count;
      };
      const env = { ...t.env, PULSE_KAFKA_CONSUMER_GROUP: groupId, LOGS_DIR: logsDir, LOG_LEVEL: "warn" };
      const procs = await Promise.all(COUNTS.slice(0, count).map(() => startConsumerProcess(env, false)));
      try {
        await waitUntil(stable, 60_000, () => `the group did not settle with ${count} members`);
        const cpu0 = await Promise.all(procs.map((p) => cpuSeconds(p.child.pid!)));
        const t0 = performance.now();
        const atStable = await committed();
        await waitUntil(
          async () => (await committed()) >= EVENTS,
          300_000,
          async () => `${await committed()} committed`,
        );
        const seconds = (performance.now() - t0) / 1000;
        const cpu = (await Promise.all(procs.map((p) => cpuSeconds(p.child.pid!)))).reduce((a, b, i) => a + b - cpu0[i]!, 0);
        const read = EVENTS - atStable;
        console.log(
          `  ${count} process${count > 1 ? "es" : "  "}: ${rate(read, seconds)} events/s written, fsynced and committed ` +
            `(${read.toLocaleString("en-US")} once all ${count} had joined, in ${seconds.toFixed(2)} s; ` +
            `${cpu.toFixed(1)} CPU-s, ${rate(read, cpu)} events per CPU-second)`,
        );
      } finally {
        await Promise.all(procs.map((p) => stopConsumerProcess(p)));
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await rm(logsDir, { recursive: true, force: true });
      }
    }
  } finally {
    await admin.disconnect();
    await producer.disconnect();
    await t.cleanup();
  }
}

async function etlWorkers(): Promise<void> {
  const logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-scale-etl-"));
  const sites = oneSitePerShard(SHARDS);
  let written = 0;
  for (const [i, siteId] of sites.entries()) {
    written += writeDataset(logsDir, {
      events: Math.round(ETL_EVENTS / SHARDS),
      days: 14,
      endMs: Date.parse("2026-11-28T00:00:00Z"),
      seed: 500 + i,
      siteId,
      sessionIdPrefix: `s${i}`,
    });
  }
  const redisUrl = new URL(loadConfig().redis.url);
  redisUrl.pathname = "/11";
  console.log(`\nETL: ${written.toLocaleString("en-US")} events over ${SHARDS} sites, ETL_SHARDS=${SHARDS}`);
  try {
    for (const count of COUNTS) {
      await emptyQueue(redisUrl.toString(), ETL_QUEUE);
      const db = await createTestDatabase(`scale_etl_${count}`);
      const workers: WorkerProcess[] = [];
      try {
        await insertSites(db.url, sites, "s");
        for (let i = 0; i < count; i++) {
          workers.push(
            startEtlWorkerProcess({
              databaseUrl: db.url,
              redisUrl: redisUrl.toString(),
              logsDir,
              intervalSeconds: 3600,
              env: { ETL_SHARDS: String(SHARDS), LOG_LEVEL: "warn" },
            }),
          );
        }
        const done = async () => (await queryRows(db.url, "SELECT 1 FROM etl_runs WHERE status = 'succeeded'")).length >= SHARDS;
        await waitUntil(done, 600_000, () => "the shards' passes did not finish");
        const [span] = await queryRows<{ seconds: number; events: string; workers: string }>(
          db.url,
          `SELECT extract(epoch FROM max(finished_at) - min(started_at))::float AS seconds, sum(events_read) AS events,
             count(DISTINCT worker) AS workers FROM etl_runs WHERE status = 'succeeded'`,
        );
        console.log(
          `  ${count} worker${count > 1 ? "s" : " "}: ${rate(Number(span!.events), span!.seconds)} events/s ` +
            `(${Number(span!.events).toLocaleString("en-US")} events in ${span!.seconds.toFixed(2)} s; passes ran on ${span!.workers} of them)`,
        );
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await db.drop();
      }
    }
  } finally {
    await emptyQueue(redisUrl.toString(), ETL_QUEUE).catch(() => undefined);
    await rm(logsDir, { recursive: true, force: true });
  }
}

async function brokerLoss(): Promise<void> {
  const kafka = new Kafka({ clientId: "bench-scale", brokers: CLUSTER, logLevel: logLevel.NOTHING, connectionTimeout: 2_000 });
  const admin = kafka.admin();
  try {
    await admin.connect();
    if ((await admin.describeCluster()).brokers.length < 3) throw new Error("fewer than three brokers");
  } catch {
    console.log(`\nBroker loss: skipped (no three-broker cluster at ${CLUSTER.join(",")}; start one with scripts/kafka/cluster.sh start)`);
    return;
  }
  const topic = `scale_loss_${Date.now()}`;
  const config = loadConfig({ ...process.env, KAFKA_BROKERS: CLUSTER.join(",") });
  await ensureTopics({ config, kafka, topics: [topic], partitions: PARTITIONS });
  const producer = new EventProducer({ config, topic, sendTimeoutMs: 30_000 });
  await producer.connect();
  const cluster = (...args: string[]) => execFileSync("bash", ["scripts/kafka/cluster.sh", ...args], { stdio: "ignore" });
  const sends: Array<{ at: number; ms: number }> = [];
  let refused = 0;
  let stop = false;
  const t0 = performance.now();
  const sender = async (n: number) => {
    for (let i = 0; !stop; i++) {
      const events: StoredEvent[] = Array.from({ length: 100 }, (_, j) => ({
        site_id: randomUUID(),
        event_type: "page_visited",
        user_id: "scale",
        session_id: `s${n}-${(i * 100 + j) % 60}`,
        event_id: randomUUID(),
        event_time: new Date().toISOString(),
      }));
      for (;;) {
        const start = performance.now();
        try {
          await producer.publish(events);
          sends.push({ at: start - t0, ms: performance.now() - start });
          break;
        } catch (err) {
          if (!(err instanceof KafkaUnavailableError)) throw err;
          refused++;
          await sleep(200);
        }
      }
    }
  };
  const running = Promise.all([0, 1, 2, 3].map(sender));
  await sleep(5_000);
  const killedAt = performance.now() - t0;
  cluster("kill", "2");
  await sleep(10_000);
  cluster("start-node", "2");
  await sleep(5_000);
  stop = true;
  await running;
  await producer.close();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();

  // The first second is the producer's warm-up (metadata, InitProducerId): not the normal latency.
  const before = sends.filter((s) => s.at >= 1_000 && s.at < killedAt).map((s) => s.ms);
  const normal = percentile(before, 0.99);
  const after = sends.filter((s) => s.at >= killedAt);
  const longest = Math.max(...after.map((s) => s.ms));
  // Recovered: from the kill to the end of the last send slower than the p99 before it.
  const slow = after.filter((s) => s.ms > Math.max(2 * normal, 50));
  const recovered = slow.length > 0 ? Math.max(...slow.map((s) => s.at + s.ms)) - killedAt : 0;
  console.log(
    `\nBroker loss (node 2 of 3 SIGKILLed, back after 10 s): ${sends.length} batches of 100 acknowledged, ${refused} refused and sent again;\n` +
      `  send p50 ${percentile(before, 0.5).toFixed(1)} ms / p99 ${normal.toFixed(1)} ms before the kill; the longest send after it ` +
      `${longest.toFixed(0)} ms; latency back to normal ${(recovered / 1000).toFixed(1)} s after the kill`,
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  await consumers();
  await etlWorkers();
  await brokerLoss();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
