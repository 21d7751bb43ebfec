/**
 * The whole platform for the Playwright specs, started by the test itself: a fresh PostgreSQL
 * database, its own Kafka topics and logs directory, the web app (src/server/web/main.ts, as
 * production runs it, through test/support/app.ts), the consumer worker, the ETL worker and the live worker, all with the same environment.
 *
 * Uses PostgreSQL, Redis and Kafka from the environment (DATABASE_URL's server, REDIS_URL,
 * KAFKA_BROKERS or the local broker). REDIS_URL must be a Redis database no other ETL worker
 * uses: the ETL queue's name is fixed, so a foreign worker would take this stack's jobs.
 *
 * Knobs (not PULSE_*: the config loader reads every PULSE_<SECTION>_<KEY> as a setting):
 * E2E_PORT / E2E_PORT_RANGE, E2E_LOG_DIR (worker and app logs), E2E_KEEP=1 (keep the database),
 * E2E_LOG_LEVEL, and NEXT_DIST_DIR (default .next-e2e) for the app build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../../src/core/config/load";
import { freePort, REPO_ROOT, startApp, type RunningApp } from "../../test/support/app";
import { createTestDatabase, type TestDatabase } from "../../test/support/db";

export const ADMIN_EMAIL = "admin@e2e.pulse.test";
export const ADMIN_PASSWORD = "e2e-correct-horse-battery";

export interface Stack {
  baseUrl: string;
  logsDir: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

interface Worker {
  name: string;
  child: ChildProcess;
  output: () => string;
}

function startWorker(name: string, script: string, env: NodeJS.ProcessEnv, logDir: string, readyText: string): Promise<Worker> {
  const logFile = path.join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(path.join(REPO_ROOT, "node_modules/.bin/tsx"), [script], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not get ready in 60 s (log ${logFile}):\n${output.slice(-3000)}`)),
      60_000,
    );
    const onData = (d: Buffer) => {
      const s = d.toString();
      output += s;
      log.write(s);
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve({ name, child, output: () => output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      log.end();
      reject(new Error(`${name} exited with ${code} before it was ready (log ${logFile}):\n${output.slice(-3000)}`));
    });
  });
}

async function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} failed (${code}):\n${out}`))));
  });
}

/** E2E_PORT, or a free port of E2E_PORT_RANGE (e.g. "3320-3399"), or one the OS hands out. */
async function pickPort(): Promise<number> {
  if (process.env.E2E_PORT) return Number(process.env.E2E_PORT);
  return freePort(process.env.E2E_PORT_RANGE, "E2E_PORT_RANGE");
}

export async function startStack(): Promise<Stack> {
  const base = loadConfig();
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const logDir = process.env.E2E_LOG_DIR ?? path.join(os.tmpdir(), `pulse-e2e-${suffix}`);
  await mkdir(logDir, { recursive: true });
  const logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-e2e-logs-"));
  const topic = `web_events_dash_e2e_${suffix}`;
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => console.error("[e2e teardown]", err));
  };

  try {
    const db: TestDatabase = await createTestDatabase("dash_e2e");
    if (process.env.E2E_KEEP !== "1") cleanups.push(() => db.drop());
    cleanups.push(() => rm(logsDir, { recursive: true, force: true }));

    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      REDIS_URL: base.redis.url,
      KAFKA_BROKERS: base.kafka.brokers.length > 0 ? base.kafka.brokers.join(",") : "localhost:9092",
      KAFKA_TOPIC: topic,
      PULSE_KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      PULSE_KAFKA_CONSUMER_GROUP: `pulse-dash-e2e-${suffix}`,
      PULSE_LIVE_CONSUMER_GROUP: `pulse-live-e2e-${suffix}`,
      LOGS_DIR: logsDir,
      // The scheduled pass runs once at worker start; after that, passes come from "Run now".
      ETL_INTERVAL_SECONDS: "3600",
      AUTH_SECRET: randomBytes(32).toString("hex"),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "info",
    };
    const childEnv = { ...process.env, ...env };

    // A clean ETL queue before and after, so no job or scheduler of another run acts on a database.
    const clearQueue = async () => {
      const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
      // The ETL queue and the alerts queue its worker feeds (docs/alerts.md).
      for (const name of ["etl", "alerts"]) {
        const queue = new Queue(name, { connection: redis });
        await queue.obliterate({ force: true });
        await queue.close();
      }
      await redis.quit();
    };
    await clearQueue();
    cleanups.push(clearQueue);

    await run(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/admin-create.ts"], childEnv);

    const consumer = await startWorker("consumer", "workers/consumer/main.ts", childEnv, logDir, "consumer running");
    cleanups.push(() => stopChild(consumer.child));
    cleanups.push(async () => {
      const kafka = new Kafka({ clientId: "pulse-e2e-teardown", brokers: env.KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic, `${topic}_dlq`], timeout: 5_000 }).catch(() => undefined);
      await admin.disconnect();
    });
    const etl = await startWorker("etl-worker", "workers/etl/main.ts", childEnv, logDir, "ETL worker ready");
    cleanups.push(() => stopChild(etl.child));
    const live = await startWorker("live-worker", "workers/live/main.ts", childEnv, logDir, "live worker joined the group");
    cleanups.push(() => stopChild(live.child));

    const app: RunningApp = await startApp({
      env,
      port: await pickPort(),
      name: "dash-e2e",
      distDir: process.env.NEXT_DIST_DIR ?? ".next-e2e",
      readyTimeoutMs: 90_000,
    });
    cleanups.push(() => app.stop());
    console.log(`[e2e] app ${app.url}, database ${db.name}, topic ${topic}, logs ${logDir}`);
    return { baseUrl: app.url, logsDir, env: { ...env, APP_URL: app.url }, stop: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
