import type { Admin } from "kafkajs";
import { getConfig } from "@/core/config";
import { getRedis } from "@/core/redis";
import { getPrisma } from "@/core/db/client";
import { createKafka } from "@/core/kafka/client";

/** Each dependency check gives up after this long, so /api/health never hangs. */
const CHECK_TIMEOUT_MS = 1_500;

export interface DependencyStatus {
  ok: boolean;
  latency_ms: number;
  error?: string;
}

export interface ConsumerLag {
  group: string;
  topic: string;
  /** Sum over partitions of high watermark − committed offset (− low watermark when nothing is committed yet). */
  lag: number;
  partitions: Array<{ partition: number; high: number; committed: number | null; lag: number }>;
}

export interface LastEtlRun {
  id: number;
  status: string;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  events_read: number;
  error: string | null;
}

export interface HealthReport {
  status: "ok" | "unavailable";
  checked_at: string;
  dependencies: { kafka: DependencyStatus; postgres: DependencyStatus; redis: DependencyStatus };
  consumer_lag: (ConsumerLag & { error?: undefined }) | { error: string } | null;
  last_etl_run: LastEtlRun | null;
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function timed<T>(fn: () => Promise<T>): Promise<{ status: DependencyStatus; value?: T }> {
  const started = performance.now();
  try {
    const value = await withTimeout(fn(), CHECK_TIMEOUT_MS);
    return { status: { ok: true, latency_ms: Math.round(performance.now() - started) }, value };
  } catch (err) {
    return {
      status: { ok: false, latency_ms: Math.round(performance.now() - started), error: (err as Error).message.split("\n")[0] },
    };
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

async function consumerLag(admin: Admin, group: string, topic: string): Promise<ConsumerLag> {
  const [committed, offsets] = await Promise.all([admin.fetchOffsets({ groupId: group, topics: [topic] }), admin.fetchTopicOffsets(topic)]);
  const committedByPartition = new Map<number, number>();
  for (const p of committed.find((t) => t.topic === topic)?.partitions ?? []) {
    committedByPartition.set(p.partition, Number(p.offset));
  }
  const partitions = offsets
    .map((o) => {
      const high = Number(o.high);
      const c = committedByPartition.get(o.partition);
      const committedOffset = c !== undefined && c >= 0 ? c : null;
      return { partition: o.partition, high, committed: committedOffset, lag: Math.max(0, high - (committedOffset ?? Number(o.low))) };
    })
    .sort((a, b) => a.partition - b.partition);
  return { group, topic, lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
}

async function computeHealth(): Promise<{ ok: boolean; report: HealthReport }> {
  const config = getConfig();
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
  if (!kafka.status.ok) await dropAdmin();

  const [lag, etl] = await Promise.all([
    kafka.value
      ? withTimeout(consumerLag(kafka.value, config.kafka.consumer_group, config.kafka.topic), CHECK_TIMEOUT_MS).catch(
          (err: unknown) => ({ error: (err as Error).message }),
        )
      : Promise.resolve(null),
    postgres.status.ok
      ? withTimeout(getPrisma().etlRun.findFirst({ orderBy: { startedAt: "desc" } }), CHECK_TIMEOUT_MS).catch(() => null)
      : Promise.resolve(null),
  ]);

  const ok = kafka.status.ok && postgres.status.ok && redis.status.ok;
  return {
    ok,
    report: {
      status: ok ? "ok" : "unavailable",
      checked_at: new Date().toISOString(),
      dependencies: { kafka: kafka.status, postgres: postgres.status, redis: redis.status },
      consumer_lag: lag,
      last_etl_run: etl
        ? {
            id: etl.id,
            status: etl.status,
            trigger: etl.trigger,
            started_at: etl.startedAt.toISOString(),
            finished_at: etl.finishedAt?.toISOString() ?? null,
            events_read: etl.eventsRead,
            error: etl.error,
          }
        : null,
    },
  };
}

let inFlight: Promise<{ ok: boolean; report: HealthReport }> | null = null;

/** Health of the platform's dependencies; concurrent callers share one round of checks. */
export function checkHealth(): Promise<{ ok: boolean; report: HealthReport }> {
  inFlight ??= computeHealth().finally(() => {
    inFlight = null;
  });
  return inFlight;
}
