/**
 * npm run bench:ingest — load test of POST /api/events and POST /api/collect (autocannon) against the web app as
 * production runs it (src/server/web/main.ts in front of Next, production build), with Kafka and the consumer worker running, and a bare node:http server
 * answering 202 on the same machine as the ceiling.
 *
 * Uses its own topic, consumer group and logs dir (deleted afterwards unless BENCH_KEEP=1), and
 * an API key it creates and deletes. PostgreSQL, Redis and Kafka come from the usual settings
 * (DATABASE_URL, REDIS_URL, KAFKA_BROKERS ...). The app is built if needed (see test/support/app.ts:
 * NEXT_DIST_DIR, TEST_APP_DIR, TEST_PORT_RANGE).
 *
 * It also runs the same handler on bare node:http (bench/ingest-node-server.ts, BENCH_NODE_SERVER=0
 * to skip), which shows how much of the cost is Next's router rather than the ingest path.
 *
 * Knobs: BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS (single events, default 50),
 * BENCH_BATCH_CONNECTIONS (batches, default 20), BENCH_BATCH_SIZE (default 100), BENCH_KEEP=1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { getConfig, kafkaBrokers } from "../src/core/config";
import { createApiKey } from "../src/core/db/apiKeys";
import { createSite } from "../src/core/db/sites";
import { getRedis } from "../src/core/redis";
import { getPrisma } from "../src/core/db/client";
import { createKafka } from "../src/core/kafka/client";
import { ensureTopics } from "../src/core/kafka/topics";
import { freePort, REPO_ROOT, startApp, type RunningApp } from "../test/support/app";
import { createTestDatabase } from "../test/support/db";
import { DEFAULT_SITE_ID } from "../src/core/sites/defaultSite";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 20);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 100);
const KEEP = process.env.BENCH_KEEP === "1";

interface RunResult {
  name: string;
  connections: number;
  requestsPerSec: number;
  eventsPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  non2xx: number;
  errors: number;
}

function say(line: string): void {
  process.stderr.write(`[bench:ingest] ${line}\n`);
}

function makeEvent(i: number): Record<string, unknown> {
  const types = ["page_visited", "page_visited", "button_clicked", "page_closed", "session_created"];
  const type = types[i % types.length]!;
  return {
    event_type: type,
    user_id: `bench_user_${i % 5000}`,
    session_id: `bench_sess_${i % 20000}`,
    page_path: ["/", "/pricing", "/docs", "/blog/post-1", "/signup"][i % 5],
    ...(type === "button_clicked" ? { button_id: "cta_signup" } : {}),
    props: { referrer: "https://example.com/", viewport: "1280x720" },
  };
}

/** Varied bodies cycled by setupRequest, so sessions spread over partitions as in real traffic. */
function bodyPool(count: number, eventsPerBody: number | null): Buffer[] {
  let n = 0;
  return Array.from({ length: count }, () => {
    if (eventsPerBody === null) return Buffer.from(JSON.stringify(makeEvent(n++)));
    return Buffer.from(JSON.stringify({ events: Array.from({ length: eventsPerBody }, () => makeEvent(n++)) }));
  });
}

async function cannon(
  name: string,
  url: string,
  options: { connections: number; duration: number; bodies: Buffer[]; headers: Record<string, string>; eventsPerRequest: number },
): Promise<RunResult> {
  let i = 0;
  const result = await autocannon({
    url,
    method: "POST",
    connections: options.connections,
    duration: options.duration,
    headers: options.headers,
    requests: [
      {
        setupRequest: (req) => ({ ...req, body: options.bodies[i++ % options.bodies.length] }),
      },
    ],
  });
  const ok = result["2xx"];
  const requestsPerSec = ok / result.duration;
  return {
    name,
    connections: options.connections,
    requestsPerSec,
    eventsPerSec: requestsPerSec * options.eventsPerRequest,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** The ceiling: node:http reading the body and answering 202, in its own process like the app. */
async function startBareServer(port: number): Promise<ChildProcess> {
  const code = `
    const http = require("node:http");
    const body = JSON.stringify({ status: "queued", event_id: "00000000-0000-4000-8000-000000000000", message: "Event successfully queued" });
    http.createServer((req, res) => {
      req.on("data", () => {});
      req.on("end", () => { res.writeHead(202, { "content-type": "application/json" }); res.end(body); });
    }).listen(${port}, "127.0.0.1", () => process.stdout.write("ready\\n"));
  `;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (c) => reject(new Error(`bare server exited with ${c}`)));
  });
  return child;
}

async function startNodeServer(port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(REPO_ROOT, "bench/ingest-node-server.ts")],
    {
      cwd: REPO_ROOT,
      env: { ...env, PORT: String(port), NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (c) => reject(new Error(`bench/ingest-node-server.ts exited with ${c}`)));
  });
  return child;
}

function startConsumer(env: NodeJS.ProcessEnv): ChildProcess | null {
  const main = path.join(REPO_ROOT, "workers/consumer/main.ts");
  if (!existsSync(main)) return null;
  return spawn(process.execPath, [path.join(REPO_ROOT, "node_modules/tsx/dist/cli.mjs"), main], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function stopChild(child: ChildProcess | null, timeoutMs = 15_000): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  // A database of the benchmark's own (its API key lives there), made before anything reads the config.
  const db = await createTestDatabase("bench_ingest");
  process.env.DATABASE_URL = db.url;
  const config = getConfig();
  const brokers = kafkaBrokers(config);
  const stamp = `${Date.now().toString(36)}_${randomUUID().slice(0, 4)}`;
  const topic = `web_events_bench_${stamp}`;
  const dlqTopic = `${topic}_dlq`;
  const group = `pulse-bench-${stamp}`;
  const logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-bench-logs-"));
  let app: RunningApp | null = null;
  let consumer: ChildProcess | null = null;
  let bare: ChildProcess | null = null;
  let nodeServer: ChildProcess | null = null;
  let keyId: string | null = null;

  try {
    say(`Kafka ${brokers.join(",")}, topic ${topic} (${config.kafka.partitions} partitions)`);
    await ensureTopics({ config, topics: [topic, dlqTopic] });

    const env = {
      KAFKA_BROKERS: brokers.join(","),
      KAFKA_TOPIC: topic,
      PULSE_KAFKA_DLQ_TOPIC: dlqTopic,
      PULSE_KAFKA_CONSUMER_GROUP: group,
      DATABASE_URL: db.url,
      LOGS_DIR: logsDir,
      PULSE_INGEST_RATE_LIMIT_PER_MINUTE: "1000000000",
      LOG_LEVEL: "warn",
    };
    consumer = startConsumer({ ...process.env, ...env });
    say(consumer ? `consumer worker started (logs in ${logsDir})` : "workers/consumer/main.ts not found: running without the consumer");

    say("building (if needed) and starting the web app ...");
    app = await startApp({ env, name: "bench" });
    // read too: the consumer lag is in the detailed health report.
    const key = await createApiKey({ siteId: DEFAULT_SITE_ID, name: `bench ${stamp}`, scopes: ["ingest", "read"] });
    keyId = key.key.id;
    const headers = { "content-type": "application/json", authorization: `Bearer ${key.secret}` };
    const url = `${app.url}/api/events`;

    const singles = bodyPool(4096, null);
    const batches = bodyPool(256, BATCH_SIZE);
    say(`warming up (5 s) ...`);
    await cannon("warm-up", url, { connections: CONNECTIONS, duration: 3, bodies: singles, headers, eventsPerRequest: 1 });
    await cannon("warm-up", url, { connections: BATCH_CONNECTIONS, duration: 2, bodies: batches, headers, eventsPerRequest: BATCH_SIZE });

    const results: RunResult[] = [];
    say(`ceiling: bare node:http, ${CONNECTIONS} connections, ${DURATION} s ...`);
    const barePort = await freePort();
    bare = await startBareServer(barePort);
    await cannon("warm-up", `http://127.0.0.1:${barePort}/`, {
      connections: CONNECTIONS,
      duration: 2,
      bodies: singles,
      headers,
      eventsPerRequest: 1,
    });
    const ceiling = await cannon("bare node:http 202 (ceiling)", `http://127.0.0.1:${barePort}/`, {
      connections: CONNECTIONS,
      duration: DURATION,
      bodies: singles,
      headers,
      eventsPerRequest: 1,
    });
    await stopChild(bare);
    bare = null;
    results.push(ceiling);

    say(`single events: ${CONNECTIONS} connections, ${DURATION} s ...`);
    const single = await cannon("POST /api/events, 1 event", url, {
      connections: CONNECTIONS,
      duration: DURATION,
      bodies: singles,
      headers,
      eventsPerRequest: 1,
    });
    results.push(single);

    say(`batches of ${BATCH_SIZE}: ${BATCH_CONNECTIONS} connections, ${DURATION} s ...`);
    const batch = await cannon(`POST /api/events, batch of ${BATCH_SIZE}`, url, {
      connections: BATCH_CONNECTIONS,
      duration: DURATION,
      bodies: batches,
      headers,
      eventsPerRequest: BATCH_SIZE,
    });
    results.push(batch);

    // The browser collector: text/plain single events as sendBeacon sends them, from the site's origin.
    const site = await createSite({ name: `bench ${stamp}`, hostnames: ["bench.example"] });
    const publishable = await createApiKey({ siteId: site.id, name: `bench pk ${stamp}`, kind: "publishable" });
    const collectBodies = Array.from({ length: 4096 }, (_, i) =>
      Buffer.from(
        JSON.stringify({
          key: publishable.secret,
          events: [{ event_type: "page_visited", event_id: randomUUID(), page_path: `/p/${i % 50}` }],
        }),
      ),
    );
    const collectHeaders = {
      "content-type": "text/plain;charset=UTF-8",
      origin: "https://bench.example",
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    };
    await cannon("warm-up", `${app.url}/api/collect`, {
      connections: CONNECTIONS,
      duration: 2,
      bodies: collectBodies,
      headers: collectHeaders,
      eventsPerRequest: 1,
    });
    say(`browser collector: ${CONNECTIONS} connections, ${DURATION} s ...`);
    const collected = await cannon("POST /api/collect, 1 event", `${app.url}/api/collect`, {
      connections: CONNECTIONS,
      duration: DURATION,
      bodies: collectBodies,
      headers: collectHeaders,
      eventsPerRequest: 1,
    });
    results.push(collected);

    // The same handler without Next's router in front (what a custom server would give).
    if (process.env.BENCH_NODE_SERVER !== "0") {
      const port = await freePort();
      nodeServer = await startNodeServer(port, { ...process.env, ...env });
      const nodeUrl = `http://127.0.0.1:${port}/api/events`;
      await cannon("warm-up", nodeUrl, { connections: CONNECTIONS, duration: 2, bodies: singles, headers, eventsPerRequest: 1 });
      say(`same handler on bare node:http: single events, ${CONNECTIONS} connections, ${DURATION} s ...`);
      results.push(
        await cannon("node:http + same handler, 1 event", nodeUrl, {
          connections: CONNECTIONS,
          duration: DURATION,
          bodies: singles,
          headers,
          eventsPerRequest: 1,
        }),
      );
      say(`same handler on bare node:http: batches of ${BATCH_SIZE} ...`);
      results.push(
        await cannon(`node:http + same handler, batch ${BATCH_SIZE}`, nodeUrl, {
          connections: BATCH_CONNECTIONS,
          duration: DURATION,
          bodies: batches,
          headers,
          eventsPerRequest: BATCH_SIZE,
        }),
      );
      await stopChild(nodeServer);
      nodeServer = null;
    }

    const health = (await (await fetch(`${app.url}/api/health`, { headers: { authorization: headers.authorization } })).json()) as {
      consumer_groups?: Array<{ lag?: number }>;
    };

    console.log("");
    console.log(`Ingest benchmark (${os.cpus().length} CPUs, Node ${process.version}, ${DURATION} s per run, Kafka acks=all)`);
    console.log("");
    console.log(
      [
        "run".padEnd(34),
        "conns".padStart(5),
        "req/s".padStart(9),
        "events/s".padStart(10),
        "p50 ms".padStart(7),
        "p90 ms".padStart(7),
        "p99 ms".padStart(7),
        "max ms".padStart(7),
        "non-2xx".padStart(8),
        "errors".padStart(7),
      ].join(" "),
    );
    for (const r of results) {
      console.log(
        [
          r.name.padEnd(34),
          String(r.connections).padStart(5),
          fmt(r.requestsPerSec).padStart(9),
          fmt(r.eventsPerSec).padStart(10),
          fmt(r.p50, 1).padStart(7),
          fmt(r.p90, 1).padStart(7),
          fmt(r.p99, 1).padStart(7),
          fmt(r.max, 0).padStart(7),
          String(r.non2xx).padStart(8),
          String(r.errors).padStart(7),
        ].join(" "),
      );
    }
    const ratio = single.requestsPerSec / ceiling.requestsPerSec;
    console.log("");
    console.log(`single events: ${fmt(ratio * 100, 1)}% of the ceiling (aim >= 50%), p99 ${fmt(single.p99, 1)} ms (aim < 50 ms)`);
    console.log(`batches of ${BATCH_SIZE}: ${fmt(batch.eventsPerSec)} events/s (aim >= 200,000)`);
    console.log(
      consumer
        ? `consumer worker running; its lag right after the runs: ${health.consumer_groups?.[0]?.lag ?? "unknown"} events`
        : "consumer worker not started (workers/consumer/main.ts missing)",
    );
    console.log(
      `JSON: ${JSON.stringify({ ceiling: ceiling.requestsPerSec, single: { rps: single.requestsPerSec, p50: single.p50, p99: single.p99 }, batch: { eventsPerSec: batch.eventsPerSec, p99: batch.p99 }, ratio })}`,
    );
    console.log(
      `browser collector: ${fmt(collected.requestsPerSec)} req/s, p50 ${fmt(collected.p50, 1)} ms, p99 ${fmt(collected.p99, 1)} ms`,
    );
    if (single.non2xx + batch.non2xx + collected.non2xx > 0) {
      say(`WARNING: ${single.non2xx + batch.non2xx + collected.non2xx} non-2xx answers; see ${app.logFile}`);
      process.exitCode = 1;
    }
  } finally {
    await stopChild(bare);
    await stopChild(nodeServer);
    await app?.stop();
    await stopChild(consumer);
    if (keyId)
      await getPrisma()
        .apiKey.delete({ where: { id: keyId } })
        .catch(() => undefined);
    if (!KEEP) {
      // One connection for both (reconnecting a disconnected admin logged "write after end").
      const admin = createKafka({ config, clientSuffix: "bench" }).admin();
      await admin
        .connect()
        .then(() => admin.deleteTopics({ topics: [topic, dlqTopic], timeout: 10_000 }).catch(() => undefined))
        .then(() => admin.deleteGroups([group]))
        .catch(() => undefined)
        .finally(() => admin.disconnect().catch(() => undefined));
      await rm(logsDir, { recursive: true, force: true });
    } else {
      say(`kept topic ${topic}, group ${group}, logs ${logsDir}`);
    }
    await getPrisma()
      .$disconnect()
      .catch(() => undefined);
    (globalThis as unknown as { pulseRedis?: ReturnType<typeof getRedis> }).pulseRedis?.disconnect();
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(`[bench:ingest] failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
