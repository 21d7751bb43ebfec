/**
 * A broker lost under load, end to end: three local brokers (scripts/kafka/cluster.sh on ports of
 * this test's own, topics with three copies and min.insync.replicas 2), 100,000 events with
 * client-chosen event_ids streamed through POST /api/events by concurrent clients that resend a
 * refused batch with the same ids, while node 2 is SIGKILLed at 30% and started again at 70%. Then
 * every event that got a 202 is in the JSON Lines logs, the ETL's tables and /api/analytics equal
 * the DuckDB reference computed from the events sent (each once), and nothing is counted twice.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual, promisify } from "node:util";
import { Kafka, logLevel, type ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { StoredEvent } from "../../../src/core/events";
import { DEFAULT_SITE_ID } from "../../../src/core/sites/defaultSite";
import { REPO_ROOT, startApp, type RunningApp } from "../../support/app";
import { readLogLines, startConsumerProcess, type ConsumerProcess } from "../../support/consumer-harness";
import { datasetEvents, LogWriter } from "../../support/dataset";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { DuckReference } from "../../support/duckdbReference";
import { readDailyTables } from "../../support/etl";
import {
  closeCoreConnections,
  createIngestTestEnv,
  postEvents,
  waitFor,
  type IngestResponse,
  type IngestTestEnv,
} from "../../support/ingest-env";
import { startWorkerProcess } from "../../support/worker";

const run = promisify(execFile);

// Ports nobody else uses: the shared broker is on 9092, bench:durability's cluster on 9192-9194
// (controllers on port + 1000).
const PORTS = (process.env.KAFKA_BROKER_LOSS_PORTS ?? "29192 29193 29194").trim().split(/\s+/);
const BROKERS = PORTS.map((port) => `127.0.0.1:${port}`);
// cluster.sh keeps node N's data in <repo>/.cache/kafka/cluster-<its port> and has no setting to
// put it elsewhere; `stop --wipe` deletes these, which afterAll checks.
const DATA_DIRS = PORTS.map((port) => path.join(REPO_ROOT, ".cache/kafka", `cluster-${port}`));
const KILLED_NODE = "2";

const EVENTS = 100_000;
const BATCH = 100;
const SENDERS = 8;
/**
 * The offered load: batch i is not sent before i × BATCH / EVENTS_PER_SECOND seconds (a backlog
 * after the outage goes as fast as it can). Paced, not flat out, so the traffic still runs for
 * several seconds after node 2 is back (its start takes 3-6 s here) and the node rejoins the
 * replicas under load; flat out, the last 30% took under 3 s on this machine.
 */
const EVENTS_PER_SECOND = 2_500;
/** Pause before a refused batch goes again: shorter than the 1 s Retry-After, so the outage is probed often. */
const RETRY_PAUSE_MS = 500;
/** A batch still refused after this long means ingest did not recover: fail instead of hanging. */
const BATCH_DEADLINE_MS = 60_000;

// Fixed days (two, so ~8,800 sessions of 515 users keep the ETL pass short), old enough for any
// run date: the ingest key has the backfill scope.
const END = Date.parse("2026-06-30T00:00:00.000Z");

// kafkajs's named ESM exports end before ConfigResourceTypes (see src/core/kafka/topics.ts).
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

let db: TestDatabase;
let logsDir: string;
let referenceDir: string;
let ingest: IngestTestEnv;
let app: RunningApp;
let consumer: ConsumerProcess;
let workerEnv: NodeJS.ProcessEnv;
let clusterStarted = false;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cluster(...args: string[]): Promise<void> {
  await run("bash", [path.join(REPO_ROOT, "scripts/kafka/cluster.sh"), ...args], {
    env: { ...process.env, KAFKA_CLUSTER_PORTS: PORTS.join(" "), KAFKA_STOP_TIMEOUT: "20" },
    timeout: 150_000,
  });
}

beforeAll(async () => {
  // A run killed before its afterAll leaves its brokers and data behind: start from nothing.
  await cluster("stop", "--wipe");
  [db] = await Promise.all([
    createTestDatabase("kafka_broker_loss"),
    cluster("start").then(() => {
      clusterStarted = true;
    }),
  ]);
  process.env.DATABASE_URL = db.url; // keys are created in this test's database
  [logsDir, referenceDir] = await Promise.all([
    mkdtemp(path.join(os.tmpdir(), "pulse-broker-loss-")),
    mkdtemp(path.join(os.tmpdir(), "pulse-broker-loss-ref-")),
  ]);
  ingest = await createIngestTestEnv("broker_loss", { brokers: BROKERS });
  const appEnv = {
    ...ingest.appEnv,
    DATABASE_URL: db.url,
    LOGS_DIR: logsDir,
    // 100,000 events in well under a minute: far above the default 12,000 per minute and key.
    PULSE_INGEST_RATE_LIMIT_PER_MINUTE: "100000000",
  };
  // info: startConsumerProcess waits for the consumer's "joined the group" line.
  workerEnv = { ...process.env, ...appEnv, LOG_LEVEL: "info" };
  [app, consumer] = await Promise.all([startApp({ name: "broker-loss", env: appEnv }), startConsumerProcess(workerEnv)]);
});

afterAll(async () => {
  await Promise.all([app?.stop(), consumer?.stop()]);
  if (clusterStarted) await ingest?.cleanup();
  await closeCoreConnections();
  await db?.drop();
  await Promise.all([logsDir, referenceDir].map((dir) => dir && rm(dir, { recursive: true, force: true })));
  await cluster("stop", "--wipe");
  const left = DATA_DIRS.filter((dir) => existsSync(dir));
  if (left.length > 0) throw new Error(`cluster.sh stop --wipe left data dirs behind: ${left.join(", ")}`);
});

/** The generated traffic: exactly EVENTS events of whole and cut sessions, event_ids unique. */
function generate(): StoredEvent[] {
  const events: StoredEvent[] = [];
  for (const event of datasetEvents({ events: EVENTS + 3_000, days: 2, endMs: END, seed: 2024, dims: false })) {
    events.push(event);
    if (events.length === EVENTS) break;
  }
  return events;
}

/**
 * Sends the batches from SENDERS concurrent clients. A refused batch (503, or the connection
 * failing) is sent again with the same body, hence the same event_ids, until it gets its 202;
 * anything else fails the test. `onProgress` hears the number of events acknowledged so far.
 */
async function stream(
  batches: StoredEvent[][],
  key: string,
  onProgress: (acked: number) => void,
): Promise<{ refused: number; networkErrors: number; ms: number }> {
  const stats = { refused: 0, networkErrors: 0 };
  let next = 0;
  let acked = 0;
  const started = Date.now();
  const sendOne = async (index: number): Promise<void> => {
    const events = batches[index]!.map(({ site_id: _, ...event }) => event); // the site comes from the key
    const ids = events.map((e) => e.event_id);
    const deadline = Date.now() + BATCH_DEADLINE_MS;
    for (;;) {
      let res: IngestResponse | null = null;
      try {
        res = await postEvents(app.url, { events }, { key });
      } catch {
        stats.networkErrors++;
      }
      if (res?.status === 202) {
        if (!isDeepStrictEqual(res.body.event_ids, ids)) throw new Error(`batch ${index}: the 202 names other event_ids than were sent`);
        acked += events.length;
        onProgress(acked);
        return;
      }
      if (res) {
        if (res.status !== 503) throw new Error(`batch ${index}: ${res.status} ${JSON.stringify(res.body)}`);
        // A send that may have landed lists the ids to resend with: they must be the client's own.
        if (res.body.written === "unknown" && !isDeepStrictEqual(res.body.event_ids, ids)) {
          throw new Error(`batch ${index}: the 503 asks to resend with other event_ids than were sent`);
        }
        stats.refused++;
      }
      if (Date.now() > deadline)
        throw new Error(`batch ${index}: still refused after ${BATCH_DEADLINE_MS} ms (last: ${res?.status ?? "network error"})`);
      await sleep(RETRY_PAUSE_MS);
    }
  };
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < batches.length) {
        const index = next++;
        const due = started + (index * BATCH * 1000) / EVENTS_PER_SECOND;
        if (due > Date.now()) await sleep(due - Date.now());
        await sendOne(index);
      }
    }),
  );
  return { ...stats, ms: Date.now() - started };
}

it("a broker SIGKILLed and restarted under load: every 202 event is in the logs, the aggregates equal the reference, nothing counted twice", async () => {
  const admin = new Kafka({ clientId: "pulse-broker-loss-test", brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    // The topic as the platform made it (ensureTopics, the broker's defaults): three copies, two needed for a write.
    const [meta] = (await admin.fetchTopicMetadata({ topics: [ingest.topic] })).topics;
    expect(meta!.partitions.map((p) => p.replicas.length)).toEqual([3, 3, 3]);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: TOPIC_RESOURCE, name: ingest.topic, configNames: ["min.insync.replicas"] }],
    });
    expect(resources[0]!.configEntries.find((e) => e.configName === "min.insync.replicas")?.configValue).toBe("2");

    const sent = generate();
    const batches = Array.from({ length: EVENTS / BATCH }, (_, i) => sent.slice(i * BATCH, (i + 1) * BATCH));
    const ingestKey = await ingest.newKey(["ingest", "backfill"]);
    const readKey = await ingest.newKey(["read"]);

    // The broker is killed and started from the senders' progress, without pausing them.
    let kill: Promise<void> | null = null;
    let restart: Promise<void> | null = null;
    const times = { killedAt: 0, restartedAt: 0, backAt: 0 };
    let acked = 0;
    let ackedWhenBack = 0;
    const t0 = Date.now();
    const streamed = await stream(batches, ingestKey.secret, (n) => {
      acked = n;
      if (!kill && acked >= EVENTS * 0.3) {
        times.killedAt = Date.now() - t0;
        kill = cluster("kill", KILLED_NODE);
      }
      if (!restart && acked >= EVENTS * 0.7) {
        times.restartedAt = Date.now() - t0;
        restart = kill!
          .then(() => cluster("start-node", KILLED_NODE))
          .then(() => {
            times.backAt = Date.now() - t0;
            ackedWhenBack = acked;
          });
      }
    });
    await restart;
    const stats = { ...streamed, ...times };
    // Else the restart was not under load, and this test would not cover a node rejoining (see EVENTS_PER_SECOND).
    expect(ackedWhenBack, `node ${KILLED_NODE} was back only after the last batch`).toBeLessThan(EVENTS);

    // Node 2 is back as a full copy of every partition again (it caught up with the others).
    const nodeId = Number(KILLED_NODE);
    await waitFor(
      async () => (await admin.fetchTopicMetadata({ topics: [ingest.topic] })).topics[0]!.partitions.map((p) => p.isr),
      (isrs) => isrs.every((isr) => isr.includes(nodeId)),
      60_000,
      500,
    );

    // The consumer has committed everything on the topic, so every line it will write is written
    // (it commits only after the fsync) and no redelivery can add copies behind the ETL's back.
    await waitFor(
      async () => {
        const [ends, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(ingest.topic),
          admin.fetchOffsets({ groupId: ingest.group, topics: [ingest.topic] }),
        ]);
        const at = new Map(committed!.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
        return ends.map((end) => Number(end.high) - (at.get(end.partition) ?? 0));
      },
      (lags) => lags.every((lag) => lag === 0),
      90_000,
      1_000,
    );

    // Every acknowledged event is in the logs (copies allowed: a resend may be stored twice).
    const byId = new Map(sent.map((e) => [e.event_id, e]));
    const lines = await readLogLines(logsDir, "events");
    const loggedIds = new Set(lines.map((l) => (JSON.parse(l) as StoredEvent).event_id));
    const missing = sent.filter((e) => !loggedIds.has(e.event_id)).map((e) => e.event_id);
    expect(missing.length, `acknowledged but not in the logs, e.g. ${missing.slice(0, 5).join(", ")}`).toBe(0);
    // Each line is an event the test sent, as it was sent (plus the key's site).
    const foreign: string[] = [];
    for (const line of lines) {
      const stored = JSON.parse(line) as StoredEvent;
      if (!isDeepStrictEqual(stored, byId.get(stored.event_id))) foreign.push(line);
    }
    expect(foreign.slice(0, 5)).toEqual([]);
    expect(await readLogLines(logsDir, "dead-letter")).toEqual([]);

    const etl = startWorkerProcess("workers/etl/run-once.ts", workerEnv, { label: "etl" });
    const { code } = await etl.exited;
    const etlOutput = etl.output.join("\n");
    expect(code, etlOutput).toBe(0);
    expect(etlOutput).toMatch(new RegExp(`read ${lines.length} new events`));
    expect(etlOutput).not.toMatch(/Set aside/);

    // The reference: the events sent, each once, as their log lines, computed by DuckDB.
    const writer = new LogWriter(referenceDir);
    for (const event of sent) writer.add(event);
    writer.flush();
    const reference = await DuckReference.load(referenceDir);
    const expected = await reference.tables(DEFAULT_SITE_ID);
    const tables = await readDailyTables(db.url);
    expect(tables.session_metrics).toEqual(expected.session_metrics);
    expect(tables.page_engagement).toEqual(expected.page_engagement);
    expect(tables.click_through_rates).toEqual(expected.click_through_rates);

    const days = expected.session_metrics.map((r) => String(r.date));
    const [from, to] = [days[0]!, days.at(-1)!];
    const res = await fetch(`${app.url}/api/analytics?from=${from}&to=${to}&limit=10000`, {
      headers: { authorization: `Bearer ${readKey.secret}` },
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as Record<string, unknown>;
    const want = await reference.report(from, to);
    expect(report.summary).toEqual(want.summary);
    expect(report.session_metrics).toEqual(want.session_metrics);
    expect(report.page_engagement).toEqual(want.page_engagement);
    expect(report.click_through_rates).toEqual(want.click_through_rates);

    // Nothing counted twice, whatever the copies on the log: page views and sessions as sent.
    const pageViews = sent.filter((e) => e.event_type === "page_visited").length;
    expect(tables.session_metrics.reduce((sum, r) => sum + Number(r.total_page_views), 0)).toBe(pageViews);
    expect(want.summary.page_views).toBe(pageViews);
    expect(want.summary.sessions).toBe(new Set(sent.map((e) => e.session_id)).size);

    // For the CI log: how the loss went, and how many copies it left (counted once above).
    console.info(
      `broker loss: ${EVENTS} events in ${stats.ms} ms; node ${KILLED_NODE} killed at ${stats.killedAt} ms, started at ${stats.restartedAt} ms, ` +
        `back at ${stats.backAt} ms with ${EVENTS - ackedWhenBack} events still to acknowledge; ` +
        `${stats.refused} refusals (503), ${stats.networkErrors} network errors; ${lines.length - EVENTS} copies on the log`,
    );
  } finally {
    await admin.disconnect();
  }
}, 240_000);
