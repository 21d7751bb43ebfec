// Kafka stops under a running app: 503 + Retry-After quickly, health says so; Kafka returns:
// 202 again, without restarting the app. Uses its own broker (scripts/kafka/start.sh on
// INGEST_TEST_KAFKA_PORT, default 19092, with a throw-away data dir), never the shared one.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startApp, type RunningApp } from "../../support/app";
import {
  closeCoreConnections,
  createIngestTestEnv,
  event,
  postEvents,
  readEventsFromTopic,
  waitFor,
  type IngestTestEnv,
} from "../../support/ingest-env";

const run = promisify(execFile);
const PORT = Number(process.env.INGEST_TEST_KAFKA_PORT ?? 19092);
const BROKER = `127.0.0.1:${PORT}`;
const SEND_TIMEOUT_MS = 3_000;

let dataDir: string;
let env: IngestTestEnv;
let app: RunningApp;
let key: string;

async function broker(action: "start" | "stop", ...args: string[]): Promise<void> {
  await run(path.join(REPO_ROOT, "scripts/kafka", `${action}.sh`), args, {
    env: { ...process.env, KAFKA_PORT: String(PORT), KAFKA_DATA_DIR: dataDir, KAFKA_STOP_TIMEOUT: "20" },
    timeout: 150_000,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads nested JSON freely
type Json = Record<string, any>;

async function health(): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${app.url}/api/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Json };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "pulse-ingest-kafka-"));
  await broker("start");
  env = await createIngestTestEnv("outage", { brokers: [BROKER] });
  app = await startApp({
    env: { ...env.appEnv, PULSE_KAFKA_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS) },
    name: "ingest-outage",
  });
  ({ secret: key } = await env.newKey());
});

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
  await closeCoreConnections();
  if (dataDir) {
    await broker("stop", "--wipe").catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
});

describe("Kafka outage", () => {
  it("202 while the broker runs", async () => {
    const res = await postEvents(app.url, event(), { key });
    expect(res.status).toBe(202);
    expect((await health()).status).toBe(200);
  });

  it("503 with Retry-After, quickly, while the broker is down; health reports it", async () => {
    await broker("stop");
    const results = await Promise.all([
      postEvents(app.url, event(), { key }),
      postEvents(app.url, { events: [event(), event()] }, { key }),
      postEvents(app.url, event(), { key }),
    ]);
    for (const [i, res] of results.entries()) {
      expect(res.status).toBe(503);
      expect(res.body.error).toBe("kafka_unavailable");
      // A send that was on its way when the broker went may have been written: then it lists the
      // ids to resend with; one that found no broker says nothing was written.
      if (res.body.written === "unknown") expect(res.body.event_ids).toHaveLength(i === 1 ? 2 : 1);
      else expect(res.body).toMatchObject({ written: "none" });
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Bounded by kafka.send_timeout_ms (plus a little), never a hang.
      expect(res.ms).toBeLessThan(SEND_TIMEOUT_MS + 1_500);
    }
    // Later requests in the outage fail fast.
    const again = await postEvents(app.url, event(), { key });
    expect(again.status).toBe(503);
    expect(again.body).toMatchObject({ error: "kafka_unavailable", written: "none" });
    expect(again.body).not.toHaveProperty("event_ids");
    expect(again.ms).toBeLessThan(SEND_TIMEOUT_MS + 1_500);

    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body.status).toBe("unavailable");
    expect(h.body.dependencies).toEqual({ kafka: "down", postgres: "ok", redis: "ok" });
  });

  it("202 again once the broker is back, without restarting the app, and the event is on the topic", async () => {
    await broker("start");
    const pid = app.pid;
    const accepted = await waitFor(
      () => postEvents(app.url, event({ page_path: "/after-outage" }), { key }),
      (res) => res.status === 202,
      60_000,
      500,
    );
    expect(app.pid).toBe(pid);
    const id = accepted.body.event_id as string;
    const found = await readEventsFromTopic(env.brokers, env.topic, [id]);
    expect(found.get(id)?.value.page_path).toBe("/after-outage");

    // Steady again: a burst all goes through.
    const burst = await Promise.all(Array.from({ length: 10 }, () => postEvents(app.url, event(), { key })));
    expect(burst.map((r) => r.status)).toEqual(Array(10).fill(202));
    const h = await waitFor(health, (r) => r.status === 200, 20_000, 500);
    expect(h.body.dependencies.kafka).toBe("ok");
  });
});
