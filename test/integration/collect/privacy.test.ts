/**
 * No client address or user agent anywhere (docs/collector.md, "Visitors without cookies"): a
 * visitor behind a trusted proxy sends page views, a custom event and some refused requests
 * through the real app, the consumer writes them and an ETL pass counts them; then the test reads
 * every place the platform keeps anything (the Kafka topics, the JSON Lines logs, each process's
 * own log output at debug level, every row of every PostgreSQL table and every Redis key and
 * value) and finds neither the address nor the user agent in any of them.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSite } from "@/core/db/sites";
import { startApp, type RunningApp } from "../../support/app";
import { readLogRecords } from "../../support/consumer-harness";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { closeCoreConnections, createIngestTestEnv, postEvents, type IngestTestEnv } from "../../support/ingest-env";
import { startWorkerProcess, waitUntil, type WorkerProcess } from "../../support/worker";

// Documentation ranges (RFC 5737 and 3849): addresses nothing else in a run would print.
const ADDRESS = "198.51.100.73";
const OTHER_ADDRESS = "2001:db8::5:73";
const MARK = `Q${randomUUID().slice(0, 8)}`;
const USER_AGENT = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 ${MARK}`;
const ORIGIN = "https://private.example";

let db: TestDatabase;
let logsDir: string;
let ingest: IngestTestEnv;
let app: RunningApp;
let consumer: WorkerProcess;
let workerEnv: NodeJS.ProcessEnv;
const outputs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase("privacy");
  process.env.DATABASE_URL = db.url;
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-privacy-"));
  ingest = await createIngestTestEnv("privacy");
  // The test client is the trusted proxy; X-Forwarded-For carries the visitor's address.
  const env = { ...ingest.appEnv, DATABASE_URL: db.url, LOGS_DIR: logsDir, LOG_LEVEL: "debug", PULSE_APP_TRUSTED_PROXIES: "127.0.0.1,::1" };
  workerEnv = { ...process.env, ...env };
  [app, consumer] = await Promise.all([
    startApp({ name: "privacy", env }),
    (async () => {
      const worker = startWorkerProcess("workers/consumer/main.ts", workerEnv, { label: "consumer" });
      await worker.waitForOutput('"msg":"consumer joined the group"');
      return worker;
    })(),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.all([app?.stop(), consumer?.stop()]);
  await ingest?.cleanup();
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

async function collect(body: unknown, address = ADDRESS, origin = ORIGIN): Promise<number> {
  const res = await fetch(`${app.url}/api/collect`, {
    method: "POST",
    headers: { "content-type": "text/plain;charset=UTF-8", "user-agent": USER_AGENT, origin, "x-forwarded-for": address },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

async function everyFileText(dir: string): Promise<string> {
  let text = "";
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += `${await readFile(path.join(entry.parentPath, entry.name), "utf8")}\n`;
  }
  return text;
}

async function everyTopicMessage(topics: string[]): Promise<string> {
  const kafka = new Kafka({ clientId: "privacy-test", brokers: ingest.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let expected = 0;
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) expected += Number(p.high) - Number(p.low);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `privacy-test-${randomUUID()}` });
  const seen: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`);
        seen.push(`${message.key?.toString() ?? ""} ${message.value?.toString() ?? ""} ${headers.join(" ")}`);
      },
    });
    await waitUntil(
      async () => seen.length >= expected,
      20_000,
      () => `${seen.length} of ${expected} messages read`,
    );
  } finally {
    await consumer.disconnect();
  }
  return seen.join("\n");
}

async function everyRow(url: string): Promise<string> {
  const tables = await queryRows<{ name: string }>(
    url,
    "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  let text = "";
  for (const { name } of tables) {
    for (const row of await queryRows<{ row: string }>(url, `SELECT row_to_json(t)::text AS row FROM ${name} t`)) text += `${row.row}\n`;
  }
  return text;
}

async function everyRedisKeyAndValue(url: string): Promise<string> {
  const redis = new Redis(url);
  const out: string[] = [];
  try {
    for await (const keys of redis.scanStream({ count: 1000 }) as AsyncIterable<string[]>) {
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === "string"
            ? await redis.getBuffer(key).then((b) => b?.toString("latin1"))
            : type === "hash"
              ? JSON.stringify(await redis.hgetall(key))
              : type === "list"
                ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === "set"
                  ? JSON.stringify(await redis.smembers(key))
                  : type === "zset"
                    ? JSON.stringify(await redis.zrange(key, 0, -1))
                    : type === "stream"
                      ? JSON.stringify(await redis.xrange(key, "-", "+"))
                      : "";
        out.push(`${key} ${value ?? ""}`);
      }
    }
  } finally {
    redis.disconnect();
  }
  return out.join("\n");
}

it("neither the visitor's address nor its user agent is in Kafka, the logs, PostgreSQL or Redis", async () => {
  const siteId = (await createSite({ name: "private.example", hostnames: ["private.example"] })).id;
  const pk = (await ingest.newKey([], { siteId, kind: "publishable" })).secret;
  const sk = (await ingest.newKey(["ingest", "read"], { siteId })).secret;
  const page = (p: string) => ({ event_type: "page_visited", event_id: randomUUID(), page_path: p });

  expect(await collect({ key: pk, events: [page("/"), page("/pricing")] })).toBe(202);
  expect(await collect({ key: pk, events: [{ event_type: "signup", event_id: randomUUID(), props: { plan: "pro" } }] })).toBe(202);
  // The same browser from another address is another visitor: the server did see the address.
  expect(await collect({ key: pk, events: [page("/")] }, OTHER_ADDRESS)).toBe(202);
  // Refusals log too, and must not log who asked.
  expect(await collect({ key: pk, events: [page("/")] }, ADDRESS, "https://elsewhere.example")).toBe(403);
  expect(await collect("{not json", ADDRESS)).toBe(400);
  expect(await collect({ key: pk, events: [{ event_type: "page_visited", page_path: 7 }] })).toBe(400);
  expect(await collect({ key: sk, events: [page("/")] })).toBe(403);
  // The server API from the same client: its events carry their own ids, and no address either.
  const server = await postEvents(
    app.url,
    {
      event_type: "page_visited",
      user_id: "u_server",
      session_id: "s_server",
      page_path: "/api-side",
      // A server forwarding its visitor's browser: turned into dims, then dropped.
      context: { ip: ADDRESS, user_agent: USER_AGENT, url: "https://private.example/api-side?utm_source=news", language: "de-DE" },
    },
    { key: sk, headers: { "user-agent": USER_AGENT, "x-forwarded-for": ADDRESS } },
  );
  expect(server.status).toBe(202);

  // session_created + 2 page views, the custom event, the other visitor's session_created + page view, the server's page view.
  await waitUntil(
    async () => (await readLogRecords(logsDir, "events")).length === 7,
    30_000,
    async () => `${(await readLogRecords(logsDir, "events")).length} lines in the log`,
  );
  const records = await readLogRecords<{ user_id: string; event_type: string; dims?: Record<string, string> }>(logsDir, "events");
  const browserUsers = new Set(records.filter((r) => r.user_id !== "u_server").map((r) => r.user_id));
  expect(browserUsers.size).toBe(2);
  // What the address and user agent became: dimensions, with nothing to identify anyone.
  for (const r of records)
    expect(r.dims, r.event_type).toMatchObject({ browser: "Chrome", browser_version: "156", os: "Linux", device: "desktop" });
  expect(records.find((r) => r.user_id === "u_server")?.dims).toMatchObject({
    utm_source: "news",
    hostname: "private.example",
    language: "de",
  });

  const etl = startWorkerProcess("workers/etl/run-once.ts", { ...workerEnv }, { label: "etl" });
  expect((await etl.exited).code, etl.output.join("\n")).toBe(0);
  const [visits] = await queryRows<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM page_visit_facts WHERE site_id = $1", [siteId]);
  expect(visits?.n, "the ETL pass counted the page views").toBe(4);

  outputs.push(app.output(), consumer.output.join("\n"), etl.output.join("\n"));
  const places = {
    kafka: await everyTopicMessage([ingest.topic, ingest.dlqTopic]),
    "JSON Lines logs": await everyFileText(logsDir),
    "process logs": outputs.join("\n"),
    postgresql: await everyRow(db.url),
    redis: await everyRedisKeyAndValue(ingest.appEnv.REDIS_URL!),
  };
  expect(places.kafka).toContain("/pricing");
  expect(places.postgresql).toContain("/pricing");
  expect(places["process logs"]).toContain('"msg"');
  for (const [place, text] of Object.entries(places)) {
    for (const needle of [ADDRESS, OTHER_ADDRESS, MARK, "Chrome/156.0.0.0 Safari/537.36"]) {
      expect(text.includes(needle), `"${needle}" found in ${place}`).toBe(false);
    }
  }
}, 180_000);
