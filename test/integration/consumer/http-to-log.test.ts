/**
 * The whole ingest path as a user runs it: the real web app (next start), the real consumer
 * process, test_events.sh and `npm run simulate` against it, the JSON Lines log at the end.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "@/core/events";
import { startApp, type RunningApp } from "../../support/app";
import {
  createConsumerTestEnv,
  readLogRecords,
  ROOT,
  startConsumerProcess,
  stopConsumerProcess,
  waitFor,
  type ConsumerProcess,
  type ConsumerTestEnv,
} from "../../support/consumer-harness";
import { createTestDatabase, type TestDatabase } from "../../support/db";

const run = promisify(execFile);
const REDIS_URL = process.env.CONSUMER_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/3";

describe("HTTP -> Kafka -> consumer -> JSON Lines", () => {
  let t: ConsumerTestEnv;
  let db: TestDatabase;
  let app: RunningApp | undefined;
  let consumer: ConsumerProcess | undefined;
  let apiKey: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await createConsumerTestEnv("http");
    db = await createTestDatabase("consumer_http");
    env = { ...t.env, DATABASE_URL: db.url, REDIS_URL };
    // The key is made the way the README says: npm run apikey:create.
    const { stdout } = await run(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/apikey-create.ts", "--name", "consumer-e2e"], {
      cwd: ROOT,
      env,
    });
    apiKey = /\bsk_[0-9a-f]{8}_[A-Za-z0-9_-]+/.exec(stdout)![0];
    consumer = await startConsumerProcess(env);
    app = await startApp({
      name: "consumer-e2e",
      env: {
        KAFKA_BROKERS: env.KAFKA_BROKERS,
        KAFKA_TOPIC: t.topic,
        PULSE_KAFKA_DLQ_TOPIC: t.dlqTopic,
        PULSE_KAFKA_CONSUMER_GROUP: t.groupId,
        DATABASE_URL: db.url,
        REDIS_URL,
        PULSE_INGEST_RATE_LIMIT_PER_MINUTE: "1000000",
        LOG_LEVEL: "warn",
      },
    });
  }, 300_000);

  afterAll(async () => {
    await app?.stop();
    await stopConsumerProcess(consumer);
    await db?.drop();
    await t?.cleanup();
  });

  it("test_events.sh: every accepted example is a line with its event_id and event_time; the bad one is a 400", async () => {
    const { stdout } = await run(path.join(ROOT, "test_events.sh"), [], {
      cwd: ROOT,
      env: { ...process.env, PULSE_URL: app!.url, PULSE_API_KEY: apiKey },
    });
    expect(stdout).toContain("All requests answered as expected");
    expect(stdout).toMatch(/HTTP 400 \(expected\)/);
    const sessionId = /session (sess_\S+)\)/.exec(stdout)![1]!;
    const eventIds = [...stdout.matchAll(/"event_id":"([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    const batchIds = [...stdout.matchAll(/"event_ids":\[([^\]]*)\]/g)].flatMap((m) => JSON.parse(`[${m[1]}]`) as string[]);
    const accepted = [...eventIds, ...batchIds];
    expect(accepted).toHaveLength(5);

    await waitFor(
      async () => (await readLogRecords<StoredEvent>(t.logsDir, "events")).filter((e) => e.session_id === sessionId).length >= 5,
      30_000,
      () => `the 5 events of ${sessionId} are not all in the log`,
    );
    const lines = (await readLogRecords<StoredEvent>(t.logsDir, "events")).filter((e) => e.session_id === sessionId);
    expect(lines.map((e) => e.event_id).sort()).toEqual([...accepted].sort());
    expect(lines.map((e) => e.event_type)).toEqual(["session_created", "page_visited", "button_clicked", "page_closed", "session_ended"]);
    for (const e of lines) expect(e.event_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(lines[2]).toMatchObject({ button_id: "buy_pro", page_path: "/pricing", props: { plan: "pro" } });
    const sessions = (await readLogRecords<StoredEvent>(t.logsDir, "sessions")).filter((e) => e.session_id === sessionId);
    expect(sessions.map((e) => e.event_type)).toEqual(["session_created", "session_ended"]);
  });

  it("npm run simulate: every event the API accepted reaches the log", async () => {
    const configFile = path.join(t.logsDir, "simulator.yaml");
    await writeFile(configFile, "users: 50\nduration_seconds: 6\nevents_per_second: 300\nconcurrency: 4\nbatch_size: 25\nseed: 1234\n");
    const { stdout } = await run(
      path.join(ROOT, "node_modules/.bin/tsx"),
      ["scripts/simulate.ts", "--config", configFile, "--url", app!.url, "--key", apiKey],
      {
        cwd: ROOT,
        env: { ...process.env, PULSE_API_KEY: undefined },
        timeout: 60_000,
      },
    );
    const accepted = Number(/accepted \(202\)\s+(\d+)/.exec(stdout)?.[1]);
    expect(stdout).toMatch(/rejected\s+0\b/);
    expect(accepted).toBeGreaterThan(200);

    const simEvents = async () => (await readLogRecords<StoredEvent>(t.logsDir, "events")).filter((e) => e.session_id.startsWith("sim"));
    await waitFor(
      async () => new Set((await simEvents()).map((e) => e.event_id)).size >= accepted,
      30_000,
      async () => `${new Set((await simEvents()).map((e) => e.event_id)).size} of ${accepted} accepted simulator events in the log`,
    );
    const events = await simEvents();
    expect(new Set(events.map((e) => e.event_id)).size).toBe(accepted);
    // Sessions are well-formed on the way through: each starts with session_created.
    const firstBySession = new Map<string, string>();
    for (const e of [...events].sort((a, b) => a.event_time.localeCompare(b.event_time))) {
      if (!firstBySession.has(e.session_id)) firstBySession.set(e.session_id, e.event_type);
    }
    expect([...firstBySession.values()].every((type) => type === "session_created")).toBe(true);
    console.info(
      stdout
        .split("\n")
        .filter((l) => /Summary|accepted|rejected|events sent|requests/.test(l))
        .join("\n"),
    );
  });
});
