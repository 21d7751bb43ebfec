// A send Kafka does not acknowledge in time (docs/api.md): the 503 lists the event_ids, the events
// may be on the topic all the same, and resending them with those ids counts once after the
// consumer and an ETL pass. The broker is paused (SIGSTOP) rather than stopped, so the produce
// request reaches it and is written once it resumes, but its acknowledgement comes too late.
// Uses its own broker (scripts/kafka/start.sh on INGEST_TEST_TIMEOUT_KAFKA_PORT, default 19094).
import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { readLogLines } from "../../support/consumer-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { REPO_ROOT, startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { closeCoreConnections, createIngestTestEnv, event, postEvents, waitFor, type IngestTestEnv } from "../../support/ingest-env";
import { startWorkerProcess, waitUntil } from "../../support/worker";

const run = promisify(execFile);
const PORT = Number(process.env.INGEST_TEST_TIMEOUT_KAFKA_PORT ?? 19094);
const BROKER = `127.0.0.1:${PORT}`;
const SEND_TIMEOUT_MS = 1_500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let dataDir: string;
let logsDir: string;
let db: TestDatabase;
let env: IngestTestEnv;
let app: RunningApp;
let key: string;
let workerEnv: NodeJS.ProcessEnv;

async function broker(action: "start" | "stop", ...args: string[]): Promise<void> {
  await run(path.join(REPO_ROOT, "scripts/kafka", `${action}.sh`), args, {
    env: { ...process.env, KAFKA_PORT: String(PORT), KAFKA_DATA_DIR: dataDir, KAFKA_STOP_TIMEOUT: "20" },
    timeout: 150_000,
  });
}

/** Pauses the test's own broker (the pid its start.sh recorded) while `fn` runs. */
async function whileBrokerPaused<T>(fn: () => Promise<T>): Promise<T> {
  const pid = Number(await readFile(path.join(dataDir, "kafka.pid"), "utf8"));
  process.kill(pid, "SIGSTOP");
  try {
    return await fn();
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

/** Every message on the topic, read to its end: how many copies of each event_id, and their values. */
async function copiesOnTopic(ids: readonly string[]): Promise<Map<string, Array<{ key: string | null; value: Record<string, unknown> }>>> {
  const kafka = new Kafka({ clientId: "pulse-timeout-test", brokers: env.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(env.topic)).filter((o) => Number(o.high) > 0).map((o) => [o.partition, Number(o.high)]),
  );
  await admin.disconnect();
  const copies = new Map(ids.map((id) => [id, [] as Array<{ key: string | null; value: Record<string, unknown> }>]));
  const consumer = kafka.consumer({ groupId: `pulse-timeout-test-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: env.topic, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = JSON.parse(message.value!.toString()) as Record<string, unknown>;
        copies.get(String(value.event_id))?.push({ key: message.key?.toString() ?? null, value });
        if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) ends.delete(partition);
        if (ends.size === 0) done();
      },
    });
    if (ends.size === 0) done();
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return copies;
}

const logLines = async (): Promise<number> => (await readLogLines(logsDir, "events")).length;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "pulse-timeout-kafka-"));
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-timeout-logs-"));
  await broker("start");
  db = await createTestDatabase("send_timeout");
  process.env.DATABASE_URL = db.url; // keys and the ETL's tables in this test's database
  env = await createIngestTestEnv("timeout", { brokers: [BROKER] });
  workerEnv = { ...process.env, ...env.appEnv, DATABASE_URL: db.url, LOGS_DIR: logsDir, LOG_LEVEL: "info" };
  app = await startApp({
    env: { ...env.appEnv, DATABASE_URL: db.url, LOGS_DIR: logsDir, PULSE_KAFKA_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS) },
    name: "ingest-timeout",
  });
  ({ secret: key } = await env.newKey());
});

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
  await closeCoreConnections();
  await db?.drop();
  if (dataDir) {
    await broker("stop", "--wipe").catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
  if (logsDir) await rm(logsDir, { recursive: true, force: true });
});

describe("503 after a send timeout", () => {
  it("lists the event_ids to resend with; resent, the events are on the topic under the same ids and count once", async () => {
    // A connected producer, so the paused broker gets the produce request itself.
    await waitFor(
      () => postEvents(app.url, event(), { key }),
      (r) => r.status === 202,
      60_000,
      500,
    );

    const session = `sess_timeout_${randomUUID()}`;
    const clientId = randomUUID();
    const batch = [
      event({ event_type: "session_created", session_id: session, page_path: "/timeout-a" }),
      event({ event_type: "page_visited", session_id: session, page_path: "/timeout-a", event_id: clientId }),
      event({ event_type: "page_visited", session_id: session, page_path: "/timeout-b" }),
    ];
    const [timedOut, fastFail] = await whileBrokerPaused(async () => {
      const first = await postEvents(app.url, { events: batch }, { key });
      // Right after the failure the producer fails fast: nothing is sent, and the answer says so.
      const second = await postEvents(app.url, event(), { key });
      return [first, second];
    });

    expect(timedOut.status).toBe(503);
    expect(timedOut.body).toMatchObject({ error: "kafka_unavailable", written: "unknown", retry_after_seconds: expect.any(Number) });
    expect(timedOut.body.message).toMatch(/event_ids/);
    expect(Number(timedOut.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const ids = timedOut.body.event_ids as string[];
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(ids[1]).toBe(clientId); // the client's own id, in its place
    // Bounded by kafka.send_timeout_ms, with room for a busy machine.
    expect(timedOut.ms).toBeLessThan(SEND_TIMEOUT_MS + 5_000);

    expect(fastFail.status).toBe(503);
    expect(fastFail.body).toMatchObject({ error: "kafka_unavailable", written: "none" });
    expect(fastFail.body).not.toHaveProperty("event_ids");
    expect(Number(fastFail.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    // What a client does with that 503: the same events again, with the ids it was given.
    const resent = batch.map((e, i) => ({ ...e, event_id: ids[i] }));
    const accepted = await waitFor(
      () => postEvents(app.url, { events: resent }, { key }),
      (r) => r.status === 202,
      60_000,
      500,
    );
    expect(accepted.body.event_ids).toEqual(ids);

    // The timed-out send was written after all, and the resend again: two copies of each id, alike.
    const copies = await copiesOnTopic(ids);
    for (const [i, id] of ids.entries()) {
      const found = copies.get(id)!;
      expect(found.length, `copies of ${id}`).toBeGreaterThanOrEqual(2);
      for (const copy of found) {
        expect(copy.key).toBe(`${DEFAULT_SITE_ID}:${session}`);
        expect(copy.value).toMatchObject({
          event_id: id,
          session_id: session,
          event_type: batch[i]!.event_type,
          page_path: batch[i]!.page_path,
        });
      }
    }

    // Consumer → JSON Lines → ETL: every copy is logged, and each event counts once.
    const consumer = startWorkerProcess("workers/consumer/main.ts", workerEnv, { label: "consumer" });
    try {
      const offsets = await (async () => {
        const admin = new Kafka({ clientId: "pulse-timeout-test", brokers: env.brokers, logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        try {
          return (await admin.fetchTopicOffsets(env.topic)).reduce((sum, o) => sum + Number(o.high), 0);
        } finally {
          await admin.disconnect();
        }
      })();
      await waitUntil(
        async () => (await logLines()) >= offsets,
        60_000,
        async () => `${await logLines()} of ${offsets} lines in the log`,
      );
    } finally {
      await consumer.stop();
    }
    const etl = startWorkerProcess("workers/etl/run-once.ts", workerEnv, { label: "etl" });
    const { code } = await etl.exited;
    expect(code, etl.output.join("\n")).toBe(0);

    const pages = await queryRows<{ page_path: string; total_visits: number }>(
      db.url,
      "SELECT page_path, total_visits::int AS total_visits FROM page_engagement WHERE page_path LIKE '/timeout-%' ORDER BY page_path",
    );
    expect(pages).toEqual([
      { page_path: "/timeout-a", total_visits: 1 },
      { page_path: "/timeout-b", total_visits: 1 },
    ]);
    // Its two page views, not the four the copies hold.
    const facts = await queryRows<{ page_views: number }>(db.url, "SELECT page_views FROM session_facts WHERE session_id = $1", [session]);
    expect(facts).toEqual([{ page_views: 2 }]);
  }, 240_000);
});
