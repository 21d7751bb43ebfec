/**
 * Shared pieces of the ingest integration tests: a unique topic per test file, API keys created
 * through the real data layer, a small HTTP client for POST /api/events and a Kafka reader that
 * fetches what the app wrote. PostgreSQL, Redis and Kafka come from the environment the tests run
 * in (DATABASE_URL, REDIS_URL, KAFKA_BROKERS through getConfig()), so CI can point them elsewhere.
 */
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { getConfig, kafkaBrokers } from "@/core/config";
import { createTestDatabase, type TestDatabase } from "./db";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { createApiKey, revokeApiKey, type ApiKeyScope } from "@/core/db/apiKeys";
import { getRedis } from "@/core/redis";
import { getPrisma } from "@/core/db/client";
import { ensureTopics } from "@/core/kafka/topics";

export interface IngestTestEnv {
  topic: string;
  dlqTopic: string;
  group: string;
  brokers: string[];
  /** Environment for startApp(): the test's topic, group and brokers, plus the test process's DB/Redis. */
  appEnv: Record<string, string>;
  /** A secret key of the site (the default site unless one is named). */
  newKey(scopes?: ApiKeyScope[], options?: { siteId?: string; kind?: "secret" | "publishable" }): Promise<{ id: string; secret: string }>;
  revoke(id: string): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Keys live in a database of the test's own: the one DATABASE_URL already names when the test
 * made one (set it before the first getConfig()), else a fresh one made here and dropped by cleanup().
 * Nothing ever touches the developer's own database.
 */
async function testDatabase(name: string): Promise<TestDatabase | null> {
  const current = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL).pathname.slice(1) : "";
  if (current.startsWith("pulse_t_")) return null;
  const db = await createTestDatabase(`ingest_${name}`);
  process.env.DATABASE_URL = db.url;
  return db;
}

export async function createIngestTestEnv(name: string, options: { brokers?: string[] } = {}): Promise<IngestTestEnv> {
  const ownDb = await testDatabase(name);
  const config = getConfig();
  if (!new URL(config.postgres.url).pathname.startsWith("/pulse_t_")) {
    throw new Error("createIngestTestEnv must run before anything reads the configuration (getConfig), so keys go to a test database");
  }
  const brokers = options.brokers ?? kafkaBrokers(config);
  const suffix = `${name}_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  const topic = `web_events_ingest_${suffix}`;
  const dlqTopic = `${topic}_dlq`;
  const group = `pulse-ingest-test-${suffix}`;
  const kafka = new Kafka({ clientId: "pulse-ingest-test", brokers, logLevel: logLevel.NOTHING });
  await ensureTopics({ kafka, topics: [topic, dlqTopic], partitions: config.kafka.partitions });
  const keyIds: string[] = [];
  return {
    topic,
    dlqTopic,
    group,
    brokers,
    appEnv: {
      KAFKA_BROKERS: brokers.join(","),
      KAFKA_TOPIC: topic,
      PULSE_KAFKA_DLQ_TOPIC: dlqTopic,
      PULSE_KAFKA_CONSUMER_GROUP: group,
      DATABASE_URL: config.postgres.url,
      REDIS_URL: config.redis.url,
      LOG_LEVEL: process.env.INGEST_TEST_APP_LOG_LEVEL ?? "warn",
    },
    async newKey(scopes = ["ingest"], options = {}) {
      const kind = options.kind ?? "secret";
      const { key, secret } = await createApiKey({
        siteId: options.siteId ?? DEFAULT_SITE_ID,
        name: `ingest-test ${name}`,
        kind,
        scopes: kind === "secret" ? scopes : [],
      });
      keyIds.push(key.id);
      return { id: key.id, secret };
    },
    async revoke(id) {
      await revokeApiKey(id);
    },
    async cleanup() {
      await getPrisma()
        .apiKey.deleteMany({ where: { id: { in: keyIds } } })
        .catch(() => undefined);
      if (ownDb) {
        await getPrisma()
          .$disconnect()
          .catch(() => undefined);
        await ownDb.drop();
      }
      const admin = kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteTopics({ topics: [topic, dlqTopic], timeout: 5_000 }))
        .catch(() => undefined)
        .finally(() => admin.disconnect().catch(() => undefined));
    },
  };
}

/** Closes the connections the test process itself opened through src/core. */
export async function closeCoreConnections(): Promise<void> {
  await getPrisma()
    .$disconnect()
    .catch(() => undefined);
  const g = globalThis as unknown as { pulseRedis?: ReturnType<typeof getRedis>; pulseFactStore?: { close(): Promise<void> } | null };
  g.pulseRedis?.disconnect();
  // The dashboard's copy of the facts (src/core/db/analytics.ts), when a test ran reports in process.
  await g.pulseFactStore?.close();
  g.pulseFactStore = undefined;
}

export interface IngestResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  ms: number;
}

export interface PostOptions {
  key?: string | null;
  /** "bearer" (default) or "x-api-key". */
  via?: "bearer" | "x-api-key";
  contentType?: string | null;
  /** Send this text as the body instead of JSON.stringify(body). */
  raw?: string | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
}

export async function postEvents(appUrl: string, body: unknown, options: PostOptions = {}): Promise<IngestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const contentType = options.contentType === undefined ? "application/json" : options.contentType;
  if (contentType) headers["content-type"] = contentType;
  if (options.key) {
    if (options.via === "x-api-key") headers["x-api-key"] = options.key;
    else headers.authorization = `Bearer ${options.key}`;
  }
  const payload = options.raw ?? JSON.stringify(body);
  const started = performance.now();
  const res = await fetch(`${appUrl}/api/events`, {
    method: "POST",
    headers,
    body: payload,
    ...(typeof payload === "string" ? {} : { duplex: "half" }),
    signal: AbortSignal.timeout(30_000),
  } as RequestInit);
  const text = await res.text();
  const ms = performance.now() - started;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { _text: text };
  }
  return { status: res.status, headers: res.headers, body: parsed, ms };
}

export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_type: "page_visited",
    user_id: "user_test",
    session_id: `sess_${randomUUID().slice(0, 8)}`,
    page_path: "/home",
    ...overrides,
  };
}

export interface TopicMessage {
  key: string | null;
  partition: number;
  value: Record<string, unknown>;
}

/**
 * Reads the topic from the beginning until every wanted event_id was seen (or the timeout passes),
 * and returns those messages by event_id.
 */
export async function readEventsFromTopic(
  brokers: string[],
  topic: string,
  eventIds: readonly string[],
  timeoutMs = 20_000,
): Promise<Map<string, TopicMessage>> {
  const wanted = new Set(eventIds);
  const found = new Map<string, TopicMessage>();
  const kafka = new Kafka({ clientId: "pulse-ingest-test-reader", brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `pulse-ingest-test-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void;
    const allFound = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const value = JSON.parse(message.value?.toString() ?? "null") as Record<string, unknown>;
        const id = String(value.event_id);
        if (wanted.has(id)) found.set(id, { key: message.key?.toString() ?? null, partition, value });
        if (found.size === wanted.size) done();
      },
    });
    if (wanted.size === 0) done!();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allFound, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return found;
}

/** Polls `fn` until it returns a truthy value; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
