/**
 * Test harness for the consumer worker: a unique topic / DLQ topic / group / logs dir per test
 * file, the real worker started as a child process (`tsx workers/consumer/main.ts`), and helpers
 * to produce events as the web app does and read the JSON Lines logs back.
 */
import { randomUUID } from "node:crypto";
import { DEFAULT_SITE_ID } from "../../src/core/sites/defaultSite";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CompressionTypes, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { loadConfig } from "@/core/config";
import type { StoredEvent } from "@/core/events";
import { EventProducer } from "@/core/kafka/producer";
import { startWorkerProcess, type WorkerProcess } from "./worker";

export { ROOT } from "./worker";
export const BROKERS = (process.env.KAFKA_BROKERS ?? "localhost:9092")
  .split(",")
  .map((b) => b.trim())
  .filter(Boolean);

export interface ConsumerTestEnv {
  name: string;
  topic: string;
  dlqTopic: string;
  groupId: string;
  logsDir: string;
  /** Environment for the worker process. */
  env: NodeJS.ProcessEnv;
  kafka: Kafka;
  cleanup: () => Promise<void>;
}

/** Unique names per test file (topics `web_events_consumer_<name>_<rand>`, group `pulse-consumer-test-...`). */
export async function createConsumerTestEnv(name: string, partitions = 3): Promise<ConsumerTestEnv> {
  const suffix = `${name}_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  const topic = `web_events_consumer_${suffix}`;
  const dlqTopic = `${topic}_dlq`;
  const groupId = `pulse-consumer-test-${suffix}`;
  const logsDir = await mkdtemp(path.join(os.tmpdir(), `pulse-consumer-${name}-`));
  const kafka = new Kafka({ clientId: `pulse-consumer-test-${name}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: partitions },
        { topic: dlqTopic, numPartitions: 1 },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: BROKERS.join(","),
    KAFKA_TOPIC: topic,
    PULSE_KAFKA_DLQ_TOPIC: dlqTopic,
    PULSE_KAFKA_CONSUMER_GROUP: groupId,
    LOGS_DIR: logsDir,
    LOG_LEVEL: process.env.CONSUMER_TEST_LOG_LEVEL ?? "info",
    CONSUMER_SHUTDOWN_TIMEOUT_MS: "15000",
  };
  return {
    name,
    topic,
    dlqTopic,
    groupId,
    logsDir,
    env,
    kafka,
    cleanup: async () => {
      const a = kafka.admin();
      await a.connect();
      try {
        await a.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
        await a.deleteGroups([groupId]).catch(() => undefined);
      } finally {
        await a.disconnect();
      }
      if (!process.env.KEEP_CONSUMER_TEST_LOGS) await rm(logsDir, { recursive: true, force: true });
    },
  };
}

export type ConsumerProcess = WorkerProcess;

/** Starts the real worker as a child process and waits until it has joined its consumer group. */
export async function startConsumerProcess(env: NodeJS.ProcessEnv, waitForJoin = true, nodeArgs?: string[]): Promise<ConsumerProcess> {
  const proc = startWorkerProcess("workers/consumer/main.ts", env, { label: "consumer", nodeArgs });
  if (waitForJoin) await proc.waitForOutput('"msg":"consumer joined the group"');
  return proc;
}

/** Stops a worker gracefully (SIGTERM) if it is still running; SIGKILL after the timeout. */
export async function stopConsumerProcess(proc: ConsumerProcess | undefined, timeoutMs = 20_000): Promise<void> {
  await proc?.stop(timeoutMs);
}

let eventSeq = 0;

/** A StoredEvent as the web app puts it on Kafka (event as received + event_id + UTC event_time). */
export function makeStoredEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  eventSeq++;
  return {
    site_id: DEFAULT_SITE_ID,
    event_type: "page_visited",
    user_id: `user_${eventSeq % 97}`,
    session_id: `sess_${Math.floor(eventSeq / 10)}`,
    page_path: "/home",
    event_id: randomUUID(),
    event_time: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * The web app's own producer (src/core/kafka/producer.ts: idempotent, acks = all, key = session_id,
 * value = JSON of the StoredEvent) pointed at the test topic. publish() resolves on the ack.
 */
export async function connectEventProducer(t: Pick<ConsumerTestEnv, "env" | "topic">): Promise<EventProducer> {
  const producer = new EventProducer({ config: loadConfig(t.env), topic: t.topic, sendTimeoutMs: 30_000 });
  await producer.connect();
  return producer;
}

/** A plain kafkajs producer, for messages the web app would never send (poison). */
export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
}

/** Produces events like the web app (JSON value, key = session_id, acks = all) with a plain producer. */
export async function produceEvents(producer: Producer, topic: string, events: readonly StoredEvent[]): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: events.map((e) => ({ key: e.session_id, value: JSON.stringify(e) })),
  });
}

/**
 * Produces `total` synthetic events of realistic size (~250 bytes, an hour of timestamps, 12 per
 * session) as fast as the broker takes them: 4 sends of 2,000 in flight. For the benchmarks.
 */
export async function produceSyntheticEvents(producer: Producer, topic: string, total: number): Promise<void> {
  const base = Date.now() - 3_600_000;
  const pages = ["/", "/pricing", "/docs/getting-started", "/blog/launch", "/signup"];
  const valueFor = (i: number) => {
    const session = `sess_${Math.floor(i / 12)}`;
    const type = i % 12 === 0 ? "session_created" : i % 3 === 0 ? "button_clicked" : "page_visited";
    return {
      key: session,
      value: JSON.stringify({
        event_type: type,
        user_id: `user_${Math.floor(i / 40) % 5000}`,
        session_id: session,
        page_path: pages[i % pages.length],
        ...(type === "button_clicked" ? { button_id: `btn_${i % 7}` } : {}),
        props: { ua: "Mozilla/5.0", ref: i % 2 ? "google" : "direct" },
        event_id: randomUUID(),
        event_time: new Date(base + Math.floor((i / total) * 3_600_000)).toISOString(),
      }),
    };
  };
  let next = 0;
  const sender = async () => {
    while (next < total) {
      const from = next;
      next = Math.min(total, next + 2_000);
      const messages = [];
      for (let i = from; i < next; i++) messages.push(valueFor(i));
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
}

/** Every JSON line under logs/<subdir> (complete lines only, as the ETL reads them). */
export async function readLogLines(logsDir: string, subdir: "events" | "sessions" | "dead-letter"): Promise<string[]> {
  const root = path.join(logsDir, subdir);
  if (!existsSync(root)) return [];
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.name.endsWith(".jsonl")) files.push(p);
    }
  };
  await walk(root);
  const lines: string[] = [];
  for (const file of files.sort()) {
    const text = await readFile(file, "utf8");
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    for (const line of complete.split("\n")) if (line) lines.push(line);
  }
  return lines;
}

export async function readLogRecords<T = Record<string, unknown>>(
  logsDir: string,
  subdir: "events" | "sessions" | "dead-letter",
): Promise<T[]> {
  return (await readLogLines(logsDir, subdir)).map((l) => JSON.parse(l) as T);
}

export { waitUntil as waitFor } from "./worker";
