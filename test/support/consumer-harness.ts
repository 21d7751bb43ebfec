/**
 * Test harness for the consumer worker: a unique topic / DLQ topic / group / logs dir per test
 * file, the real worker started as a child process (`tsx workers/consumer/main.ts`), and helpers
 * to produce events as the web app does and read the JSON Lines logs back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import { loadConfig } from "@/core/config";
import type { StoredEvent } from "@/core/events";
import { EventProducer } from "@/core/kafka/producer";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BROKERS = (process.env.KAFKA_BROKERS ?? "localhost:9092").split(",").map((b) => b.trim()).filter(Boolean);

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

export interface ConsumerProcess {
  child: ChildProcess;
  /** Every stdout/stderr line so far (pino JSON). */
  output: string[];
  /** Resolves when a log line matching `msg` appears. */
  waitForLog: (msg: string, timeoutMs?: number) => Promise<void>;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Starts the real worker as a child process and waits until it has joined its consumer group. */
export async function startConsumerProcess(env: NodeJS.ProcessEnv, waitForJoin = true, nodeArgs?: string[]): Promise<ConsumerProcess> {
  // nodeArgs (e.g. --cpu-prof for profiling): run node with tsx's loader directly instead of the tsx CLI.
  const [cmd, args] = nodeArgs
    ? [process.execPath, [...nodeArgs, "--import", "tsx", "workers/consumer/main.ts"]]
    : [path.join(ROOT, "node_modules", ".bin", "tsx"), ["workers/consumer/main.ts"]];
  // Own process group: `tsx` runs the worker in a child node process, so SIGKILL must hit the
  // whole group (as a container runtime or systemd would), or the real worker survives.
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const output: string[] = [];
  const waiters: Array<{ msg: string; resolve: () => void }> = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      output.push(line);
      if (process.env.CONSUMER_TEST_ECHO) process.stderr.write(`[consumer ${child.pid}] ${line}\n`);
      for (const w of [...waiters]) {
        if (line.includes(`"msg":"${w.msg}"`)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitForLog = (msg: string, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      if (output.some((l) => l.includes(`"msg":"${msg}"`))) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`consumer did not log "${msg}" within ${timeoutMs} ms; output:\n${output.slice(-30).join("\n")}`)),
        timeoutMs,
      );
      waiters.push({ msg, resolve: () => (clearTimeout(timer), resolve()) });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`consumer exited (code ${code}, signal ${signal}) before logging "${msg}"; output:\n${output.slice(-30).join("\n")}`));
      });
    });
  const kill = (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      // SIGKILL: the whole group at once. SIGTERM/SIGINT: to tsx, which forwards it to the worker.
      if (signal === "SIGKILL") process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  };
  const proc: ConsumerProcess = { child, output, waitForLog, exited, kill };
  if (waitForJoin) await waitForLog("consumer joined the group");
  return proc;
}

/** Stops a worker gracefully (SIGTERM) if it is still running; SIGKILL after the timeout. */
export async function stopConsumerProcess(proc: ConsumerProcess | undefined, timeoutMs = 20_000): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  await proc.exited;
  clearTimeout(timer);
}

let eventSeq = 0;

/** A StoredEvent as the web app puts it on Kafka (event as received + event_id + UTC event_time). */
export function makeStoredEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  eventSeq++;
  return {
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

export async function readLogRecords<T = Record<string, unknown>>(logsDir: string, subdir: "events" | "sessions" | "dead-letter"): Promise<T[]> {
  return (await readLogLines(logsDir, subdir)).map((l) => JSON.parse(l) as T);
}

/** Polls `check` until it returns true (or throws after the timeout with `describe()`). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, describe: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
}
