/**
 * GET /api/health against next start with real PostgreSQL, Redis and Kafka: anyone learns which
 * dependency is down; a session or a `read` key also gets latencies, consumer lags and the last
 * ETL run; bad keys are refused like on /api/analytics.
 */
import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/core/db/client";
import { createSite } from "@/core/db/sites";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { startApp, type RunningApp } from "../../support/app";
import { closeCoreConnections, createIngestTestEnv, event, postEvents, type IngestTestEnv } from "../../support/ingest-env";
import { sessionCookie } from "../../support/session";

let env: IngestTestEnv;
let app: RunningApp;
let readKey: string;
const authSecret = randomBytes(32).toString("hex");
/** The live worker's group: not running here either, so nothing of it is committed. */
const liveGroup = `pulse-live-health-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  env = await createIngestTestEnv("health");
  app = await startApp({ env: { ...env.appEnv, AUTH_SECRET: authSecret, PULSE_LIVE_CONSUMER_GROUP: liveGroup }, name: "api-health" });
  ({ secret: readKey } = await env.newKey(["read"]));
  // Something on the topic, so the writer group (not running here) has a lag.
  const { secret: ingestKey } = await env.newKey(["ingest"]);
  expect((await postEvents(app.url, { events: [event(), event(), event()] }, { key: ingestKey })).status).toBe(202);
});

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
  await closeCoreConnections();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function health(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}/api/health`, { headers, signal: AbortSignal.timeout(15_000) });
  expect(res.headers.get("cache-control")).toBe("no-store");
  return { status: res.status, body: (await res.json()) as Json };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Reads the test topic to its end as a member of `group`, committing as it goes. */
async function readWholeTopicAs(group: string, offsets: Array<{ partition: number; high: string }>): Promise<void> {
  const kafka = new Kafka({ clientId: "pulse-health-test", brokers: env.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: group });
  const remaining = new Map(offsets.filter((o) => Number(o.high) > 0).map((o) => [o.partition, Number(o.high)]));
  await consumer.connect();
  await consumer.subscribe({ topic: env.topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    autoCommitThreshold: 1,
    eachMessage: async ({ partition, message }) => {
      if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
      if (remaining.size === 0) done();
    },
  });
  await finished;
  await consumer.disconnect();
}

describe("GET /api/health, all dependencies up", () => {
  it("without credentials: 200 and only which dependency is up, nothing else", async () => {
    const { status, body } = await health(app.url);
    expect(status).toBe(200);
    expect(body).toEqual({ status: "ok", dependencies: { kafka: "ok", postgres: "ok", redis: "ok" } });
  });

  it("with a read key: latencies, the lag of every consumer group and the last ETL run", async () => {
    const kafka = new Kafka({ clientId: "pulse-health-test", brokers: env.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const run = await getPrisma().etlRun.create({
      data: { trigger: "test", status: "failed", finishedAt: new Date(), eventsRead: 1234, error: "disk full" },
    });
    try {
      const offsets = await admin.fetchTopicOffsets(env.topic);
      const onTopic = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
      expect(onTopic).toBeGreaterThanOrEqual(3);

      const { status, body } = await health(app.url, bearer(readKey));
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: "ok", dependencies: { kafka: "ok", postgres: "ok", redis: "ok" } });
      expect(Date.parse(body.checked_at)).toBeGreaterThan(Date.now() - 60_000);
      for (const dep of ["kafka", "postgres", "redis"]) {
        expect(body.checks[dep]).toEqual({ ok: true, latency_ms: expect.any(Number) });
      }
      // Nothing committed by the (not running) writer and live groups: everything on the topic is lag.
      expect(body.consumer_groups).toEqual([
        { name: "jsonl_writer", group: env.group, topic: env.topic, lag: onTopic, partitions: expect.any(Array) },
        { name: "live", group: liveGroup, topic: env.topic, lag: onTopic, partitions: expect.any(Array) },
      ]);
      expect(body.etl.last_run).toMatchObject({ id: run.id, status: "failed", trigger: "test", events_read: 1234, error: "disk full" });

      // Once a member of the group has read (and committed) up to the end, the lag is 0.
      await readWholeTopicAs(env.group, offsets);
      const after = await health(app.url, { "x-api-key": readKey });
      expect(after.body.consumer_groups[0].lag).toBe(0);
      expect(after.body.consumer_groups[1].lag).toBe(onTopic);
    } finally {
      await getPrisma().etlRun.delete({ where: { id: run.id } });
      await admin.deleteGroups([env.group]).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it("with a read key: whether passes are overdue, and what the ETL set aside", async () => {
    const prisma = getPrisma();
    // A pass that succeeded two hours ago, with the default 5-minute schedule: overdue.
    const run = await prisma.etlRun.create({
      data: {
        trigger: "test",
        status: "succeeded",
        startedAt: new Date(Date.now() - 7_200_000),
        finishedAt: new Date(Date.now() - 7_200_000),
      },
    });
    const line = await prisma.etlQuarantine.create({
      data: {
        runId: run.id,
        siteId: DEFAULT_SITE_ID,
        kind: "line",
        file: "events/2026-11-28/14.jsonl",
        byteOffset: 120n,
        lineBytes: 80,
        reason: "not JSON",
        excerpt: "{oops",
      },
    });
    try {
      const { body } = await health(app.url, bearer(readKey));
      expect(body.etl.overdue).toMatchObject({
        last_success_at: run.finishedAt!.toISOString(),
        message: expect.stringMatching(/No ETL pass has succeeded for 120 min/),
      });
      expect(body.quarantine).toMatchObject({ total: 1, lines: 1, sessions: 0, files: 0 });
      expect(body.quarantine.recent[0]).toMatchObject({ file: "events/2026-11-28/14.jsonl", byteOffset: 120, reason: "not JSON" });
      // A key of another site is not shown this site's set-aside lines (their excerpts are its events).
      const other = await createSite({ name: "other.example" });
      const { secret: otherKey } = await env.newKey(["read"], { siteId: other.id });
      const foreign = await health(app.url, bearer(otherKey));
      expect(foreign.body.quarantine).toMatchObject({ total: 0, recent: [] });
      // The public body says nothing of either.
      const open = await health(app.url, {});
      expect(open.body).not.toHaveProperty("quarantine");
      expect(open.body).not.toHaveProperty("etl");
    } finally {
      await prisma.etlQuarantine.delete({ where: { id: line.id } });
      await prisma.etlRun.delete({ where: { id: run.id } });
    }
  });

  it("with a dashboard session: the details too", async () => {
    const { status, body } = await health(app.url, { cookie: await sessionCookie(authSecret) });
    expect(status).toBe(200);
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.consumer_groups.map((g: { name: string }) => g.name)).toEqual(["jsonl_writer", "live"]);
    expect(body).toHaveProperty("etl");
  });

  it("a bad or revoked key is 401, a key without the read scope 403, and none of them sees details", async () => {
    const { id, secret: revoked } = await env.newKey(["read"]);
    await env.revoke(id);
    const { secret: ingestOnly } = await env.newKey(["ingest"]);
    const cases: Array<[Record<string, string>, number]> = [
      [bearer("pk_00000000_unknownunknownunknownunknownunknown"), 401],
      [bearer("not-a-key"), 401],
      [bearer(revoked), 401],
      [{ "x-api-key": ingestOnly }, 403],
    ];
    for (const [headers, want] of cases) {
      const { status, body } = await health(app.url, headers);
      expect(status, JSON.stringify(headers)).toBe(want);
      expect(Object.keys(body).sort()).toEqual(["error", "message"]);
    }
  });
});

describe("GET /api/health, Redis down", () => {
  let down: RunningApp;
  beforeAll(async () => {
    // Nothing listens on port 1: the app's Redis is unreachable from the start.
    down = await startApp({ env: { ...env.appEnv, REDIS_URL: "redis://127.0.0.1:1/15" }, name: "api-health-redis-down" });
  });
  afterAll(async () => {
    await down?.stop();
  });

  it("503 naming the dependency that is down; a read key (checked in PostgreSQL) sees why", async () => {
    const { status, body } = await health(down.url);
    expect(status).toBe(503);
    expect(body).toEqual({ status: "unavailable", dependencies: { kafka: "ok", postgres: "ok", redis: "down" } });

    const detailed = await health(down.url, bearer(readKey));
    expect(detailed.status).toBe(503);
    expect(detailed.body.checks.redis).toMatchObject({ ok: false, error: expect.any(String) });
    expect(detailed.body.checks.postgres.ok).toBe(true);
    expect(detailed.body.etl).toHaveProperty("last_run");
  });
});
