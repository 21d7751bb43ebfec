/**
 * Checks and starts what the platform needs, with messages that say what is missing and how
 * to fix it. Used by `npm start` (scripts/platform/main.ts) and `npm test` (scripts/test/main.ts).
 */
import { execFile, spawnSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { kafkaBrokers, LOCAL_KAFKA_BROKER, type AppConfig } from "../../src/core/config";
import { createKafka } from "../../src/core/kafka/client";
import { logger } from "../../src/core/logging/logger";

const exec = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, "../..");

export class ServiceError extends Error {
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@");

/** Connects to the server, and creates the configured database when it does not exist yet. */
export async function ensurePostgres(url: string): Promise<{ created: boolean }> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1)) || "postgres";
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    throw new ServiceError(
      "PostgreSQL",
      `PostgreSQL is not reachable at ${redact(url)}: ${(err as Error).message}.\n` +
        "  Start it (e.g. `pg_ctlcluster 15 main start`, or `docker compose up -d postgres`) or point DATABASE_URL at yours.",
    );
  }
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (rowCount) return { created: false };
    await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    return { created: true };
  } finally {
    await client.end();
  }
}

export async function migrateDatabase(url: string): Promise<string> {
  try {
    const { stdout } = await exec(path.join(ROOT, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
    });
    return /No pending migrations/.test(stdout) ? "up to date" : "migrations applied";
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new ServiceError("PostgreSQL", `prisma migrate deploy failed:\n${e.stderr || e.stdout || e.message}`);
  }
}

export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new ServiceError(
      "Redis",
      `Redis is not reachable at ${redact(url)}: ${(err as Error).message}.\n` +
        "  Start it (e.g. `redis-server --daemonize yes`, or `docker compose up -d redis`) or point REDIS_URL at yours.",
    );
  } finally {
    redis.disconnect();
  }
}

/** True when a broker answers a metadata request. */
async function kafkaAnswers(config: AppConfig, brokers: string[]): Promise<boolean> {
  const quiet = logger.child({}, { level: "silent" });
  const admin = createKafka({
    config,
    brokers,
    clientSuffix: "check",
    logger: quiet,
    retry: { retries: 1, initialRetryTime: 200 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * With KAFKA_BROKERS set: checks those brokers answer. Without: starts (or reuses) the local
 * single-node broker from scripts/kafka on localhost:9092.
 */
export async function ensureKafka(config: AppConfig): Promise<{ brokers: string[]; startedLocal: boolean }> {
  if (config.kafka.brokers.length > 0) {
    if (await kafkaAnswers(config, config.kafka.brokers)) return { brokers: config.kafka.brokers, startedLocal: false };
    throw new ServiceError(
      "Kafka",
      `Kafka is not reachable at ${config.kafka.brokers.join(",")} (KAFKA_BROKERS).\n` +
        "  Start your brokers, or unset KAFKA_BROKERS to let Pulse run a local single-node Kafka.",
    );
  }
  const brokers = kafkaBrokers(config);
  if (await kafkaAnswers(config, brokers)) return { brokers, startedLocal: false };
  for (const tool of ["java", "mvn"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
      throw new ServiceError(
        "Kafka",
        `No Kafka at ${LOCAL_KAFKA_BROKER} and \`${tool}\` is not installed, so the local broker cannot be started.\n` +
          "  Install Java 17 and Maven (apt-get install openjdk-17-jre-headless maven), or set KAFKA_BROKERS to your brokers.",
      );
    }
  }
  const port = LOCAL_KAFKA_BROKER.split(":")[1]!;
  const started = spawnSync(path.join(ROOT, "scripts/kafka/start.sh"), [port], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (started.status !== 0) {
    throw new ServiceError(
      "Kafka",
      `The local Kafka broker did not start (scripts/kafka/start.sh exited ${started.status}); see the log above.`,
    );
  }
  return { brokers, startedLocal: true };
}

export function stopLocalKafka(): void {
  spawnSync(path.join(ROOT, "scripts/kafka/stop.sh"), [LOCAL_KAFKA_BROKER.split(":")[1]!], { cwd: ROOT, stdio: "inherit" });
}
