import type { Admin } from "kafkajs";
import { getRedis } from "@/core/redis";
import { getPrisma } from "@/core/db/client";
import { createKafka } from "@/core/kafka/client";

/** Each check gives up after this long, so /api/health never hangs. */
export const CHECK_TIMEOUT_MS = 1_500;

export const DEPENDENCIES = ["kafka", "postgres", "redis"] as const;
export type DependencyName = (typeof DEPENDENCIES)[number];

export interface DependencyCheck {
  ok: boolean;
  latency_ms: number;
  error?: string;
}

export interface DependencyChecks {
  checks: Record<DependencyName, DependencyCheck>;
  /** The connected Kafka admin client when Kafka answered (for the consumer lags), else null. */
  admin: Admin | null;
}

class TimeoutError extends Error {}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The first line of an error's message: enough to say what failed in a report. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
}

/** One call at a time: callers that arrive while one runs share its result. */
export function sharedInFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | null = null;
  return () =>
    (current ??= fn().finally(() => {
      current = null;
    }));
}

async function timed<T>(fn: () => Promise<T>): Promise<{ check: DependencyCheck; value?: T }> {
  const started = performance.now();
  try {
    const value = await withTimeout(fn(), CHECK_TIMEOUT_MS);
    return { check: { ok: true, latency_ms: Math.round(performance.now() - started) }, value };
  } catch (err) {
    return { check: { ok: false, latency_ms: Math.round(performance.now() - started), error: firstLine(err) } };
  }
}

// One admin client per process, rebuilt after a failure so a returning broker is picked up.
const globalForAdmin = globalThis as unknown as { pulseHealthAdmin?: Promise<Admin> };

function getAdmin(): Promise<Admin> {
  if (!globalForAdmin.pulseHealthAdmin) {
    const admin = createKafka({ clientSuffix: "health", retry: { retries: 0 } }).admin();
    const connected = admin.connect().then(() => admin);
    globalForAdmin.pulseHealthAdmin = connected;
    connected.catch(() => {
      if (globalForAdmin.pulseHealthAdmin === connected) globalForAdmin.pulseHealthAdmin = undefined;
      admin.disconnect().catch(() => undefined);
    });
  }
  return globalForAdmin.pulseHealthAdmin;
}

async function dropAdmin(): Promise<void> {
  const current = globalForAdmin.pulseHealthAdmin;
  globalForAdmin.pulseHealthAdmin = undefined;
  if (current) await current.then((a) => a.disconnect()).catch(() => undefined);
}

async function runChecks(): Promise<DependencyChecks> {
  const kafkaCheck = timed(async () => {
    const admin = await getAdmin();
    try {
      await admin.describeCluster();
    } catch (err) {
      await dropAdmin();
      throw err;
    }
    return admin;
  });
  const postgresCheck = timed(() => getPrisma().$queryRaw`SELECT 1`);
  const redisCheck = timed(() => getRedis().ping());
  const [kafka, postgres, redis] = await Promise.all([kafkaCheck, postgresCheck, redisCheck]);
  if (!kafka.check.ok) await dropAdmin();
  return { checks: { kafka: kafka.check, postgres: postgres.check, redis: redis.check }, admin: kafka.value ?? null };
}

/** Whether Kafka, PostgreSQL and Redis answer, with latencies. */
export const checkDependencies = sharedInFlight(runChecks);
