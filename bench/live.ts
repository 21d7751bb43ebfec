/**
 * npm run bench:live — the live view under load (docs/live.md): BENCH_CLIENTS (default 200) Server-
 * Sent Events clients on one web process, all watching one site, while the simulator sends
 * BENCH_RATE (default 500) events/s to it through /api/events for BENCH_DURATION seconds (default 30).
 *
 * Prints the event-to-client latency (p50/p95/p99) of every feed entry every client received,
 * measured from the event's event_time (the simulator sends an event when its time has come, in
 * batches of up to 250 ms, so this includes the sender's own wait), beside a reference measured
 * in the same run: a plain Redis subscriber on the site's channel (what is left is the web
 * process's share). Also the CPU and peak memory of the web process and the live worker.
 *
 * Uses a fresh database, its own topic and groups; PostgreSQL, Redis and Kafka from the usual
 * settings. The app is built if needed (test/support/app.ts). Knobs: BENCH_CLIENTS, BENCH_RATE,
 * BENCH_DURATION, BENCH_WARMUP (seconds left out at the start, default 5).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { getConfig, kafkaBrokers } from "../src/core/config";
import { createApiKey } from "../src/core/db/apiKeys";
import { createSite } from "../src/core/db/sites";
import type { LiveFeedItem } from "../src/core/live/entry";
import { liveKeys } from "../src/core/live/keys";
import { parseLiveMessage } from "../src/core/live/reader";
import { REPO_ROOT, startApp, type RunningApp } from "../test/support/app";
import { createTestDatabase } from "../test/support/db";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const DURATION = Number(process.env.BENCH_DURATION ?? 30);
const WARMUP_MS = Number(process.env.BENCH_WARMUP ?? 5) * 1000;

const say = (line: string) => process.stderr.write(`[bench:live] ${line}\n`);

/** Latencies (ms) of entries whose event_time is after the warm-up, as a histogram of whole milliseconds. */
class Latencies {
  private readonly counts = new Float64Array(120_001);
  count = 0;
  max = 0;
  constructor(private readonly from: number) {}
  add(eventTime: number, at: number): void {
    if (eventTime < this.from) return;
    const ms = Math.max(0, Math.min(120_000, Math.round(at - eventTime)));
    this.counts[ms]!++;
    this.count++;
    this.max = Math.max(this.max, ms);
  }
  pct(p: number): number {
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms]!;
      if (seen >= rank && seen > 0) return ms;
    }
    return NaN;
  }
}

/** A feed message's entries: their ids and event times. */
interface ParsedMessage {
  ids: string[];
  times: number[];
}

/**
 * All clients get the same messages, so each is parsed once (keyed by its id line); every client
 * still records its own arrival time. Without this the bench's own JSON parsing (200 copies of
 * each message) would take the CPU the web process is measured on.
 */
const parsedMessages = new Map<string, ParsedMessage>();
function parseMessage(message: string): ParsedMessage {
  const idLine = message.slice(0, message.indexOf("\n"));
  let parsed = parsedMessages.get(idLine);
  if (!parsed) {
    const data = message.split("\n").find((l) => l.startsWith("data: "))!;
    const items = JSON.parse(data.slice(6)) as LiveFeedItem[];
    parsed = { ids: items.map((i) => i.entry.event_id), times: items.map((i) => Date.parse(i.entry.event_time)) };
    parsedMessages.set(idLine, parsed);
  }
  return parsed;
}

/** One SSE client: reads the stream and notes when each feed message arrived. */
async function sseClient(url: string, key: string, signal: AbortSignal): Promise<Array<[ParsedMessage, number]>> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  const arrivals: Array<[ParsedMessage, number]> = [];
  let buffer = "";
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const at = Date.now();
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (message.startsWith("id: ")) arrivals.push([parseMessage(message), at]);
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
  return arrivals;
}

/** When Kafka got each event (the producer's CreateTime), read by a consumer group of the bench's own. */
async function kafkaWriteTimes(kafka: Kafka, topic: string, groupId: string) {
  const times = new Map<string, number>();
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = (JSON.parse(message.value!.toString()) as { event_id: string }).event_id;
      times.set(id, Number(message.timestamp));
    },
  });
  return { times, stop: () => consumer.disconnect() };
}

/** CPU (% of one core) and resident memory of a process, sampled once a second from /proc. */
function sampler(pid: number) {
  const ticks = 100; // USER_HZ on Linux
  const read = () => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const cpu = (Number(stat[11]) + Number(stat[12])) / ticks;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
    return { cpu, rss };
  };
  let start = { at: 0, cpu: 0 };
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, read().rss);
    } catch {
      /* the process is gone */
    }
  }, 1000);
  return {
    begin() {
      start = { at: Date.now(), cpu: read().cpu };
      peak = read().rss;
    },
    end() {
      clearInterval(timer);
      const now = read();
      return { cpuPercent: ((now.cpu - start.cpu) / ((Date.now() - start.at) / 1000)) * 100, peakRssMb: Math.max(peak, now.rss) };
    },
  };
}

function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no "${text}" in ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
  });
}

async function main(): Promise<void> {
  const stamp = Date.now().toString(36);
  const topic = `web_events_bench_live_${stamp}`;
  const db = await createTestDatabase("bench_live");
  // Before anything reads the settings: they are read once per process.
  process.env.DATABASE_URL = db.url;
  const config = getConfig();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    KAFKA_TOPIC: topic,
    PULSE_KAFKA_DLQ_TOPIC: `${topic}_dlq`,
    PULSE_LIVE_CONSUMER_GROUP: `pulse-live-bench-${stamp}`,
    PULSE_LIVE_MAX_CONNECTIONS_PER_USER: String(CLIENTS + 10),
    PULSE_INGEST_RATE_LIMIT_PER_MINUTE: "1000000000",
    LOG_LEVEL: "warn",
  };
  let app: RunningApp | null = null;
  let worker: ChildProcess | null = null;
  let simulator: ChildProcess | null = null;
  const clients = new AbortController();
  const reference = new Redis(config.redis.url);
  try {
    const site = await createSite({ name: `live bench ${stamp}`, hostnames: ["bench.example"] });
    const ingest = await createApiKey({ siteId: site.id, name: "bench ingest", scopes: ["ingest"] });
    const read = await createApiKey({ siteId: site.id, name: "bench read", scopes: ["read"] });

    say("starting the live worker ...");
    worker = spawn(process.execPath, ["--import", "tsx", "workers/live/main.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    await waitForOutput(worker, "live worker joined the group", 60_000);
    say("building (if needed) and starting the web app ...");
    app = await startApp({ env, name: "bench-live" });

    const from = Date.now() + WARMUP_MS;
    const kafka = new Kafka({ clientId: "bench-live", brokers: kafkaBrokers(config), logLevel: logLevel.NOTHING });
    const written = await kafkaWriteTimes(kafka, topic, `bench-live-times-${stamp}`);
    const referenceArrivals: Array<[string, number]> = [];
    let published = 0;
    await reference.subscribe(liveKeys.channel(site.id));
    reference.on("message", (_channel: string, message: string) => {
      const item = parseLiveMessage(message);
      if (!item) return;
      referenceArrivals.push([item.entry.event_id, Date.now()]);
      published++;
    });

    say(`opening ${CLIENTS} SSE clients ...`);
    const url = `${app.url}/api/live?site=${site.id}`;
    const running = Array.from({ length: CLIENTS }, () => sseClient(url, read.secret, clients.signal));
    const webCpu = sampler(app.pid);
    const workerCpu = sampler(worker.pid!);
    const benchCpu = sampler(process.pid);
    await new Promise((r) => setTimeout(r, 2_000));
    webCpu.begin();
    workerCpu.begin();
    benchCpu.begin();

    say(`simulator: ${RATE} events/s for ${DURATION} s ...`);
    simulator = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/simulate.ts",
        "--key",
        ingest.secret,
        "--url",
        app.url,
        "--duration",
        String(DURATION),
        "--rate",
        String(RATE),
      ],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
    );
    let simOut = "";
    simulator.stdout!.on("data", (d: Buffer) => (simOut += d.toString()));
    const simExit = await new Promise<number | null>((resolve) => simulator!.once("exit", resolve));
    simulator = null;
    await new Promise((r) => setTimeout(r, 3_000));
    const web = webCpu.end();
    const live = workerCpu.end();
    const bench = benchCpu.end();
    clients.abort();
    const arrivals = await Promise.all(running);
    await written.stop();
    // From the event's write to Kafka (what SPEC §10 times), and from its event_time (which also
    // holds the simulator's own wait before sending), for events written after the warm-up.
    const reach = new Latencies(from);
    for (const [id, at] of referenceArrivals) if (written.times.has(id)) reach.add(written.times.get(id)!, at);
    const clientLatencies = new Latencies(from);
    const sinceEventTime = new Latencies(from);
    let unmatched = 0;
    for (const list of arrivals) {
      for (const [message, at] of list) {
        message.ids.forEach((id, i) => {
          const t = written.times.get(id);
          if (t === undefined) unmatched++;
          else clientLatencies.add(t, at);
          sinceEventTime.add(message.times[i]!, at);
        });
      }
    }
    // Each client also got the latest entries from before the run when it connected: none here (a new site).
    const perClient = arrivals.map((list) => list.reduce((n, [message]) => n + message.ids.length, 0));
    const row = (name: string, l: Latencies) =>
      `${name.padEnd(40)} ${String(l.count).padStart(10)} ${l.pct(50).toFixed(0).padStart(7)} ${l.pct(95).toFixed(0).padStart(7)} ${l.pct(99).toFixed(0).padStart(7)} ${String(l.max).padStart(7)}`;
    console.log("");
    console.log(`Live benchmark (${os.cpus().length} CPUs, Node ${process.version}; Kafka ${kafkaBrokers(config).join(",") || "local"})`);
    console.log(`${CLIENTS} SSE clients on one web process, one site; simulator at ${RATE} events/s for ${DURATION} s (exit ${simExit})`);
    console.log(simOut.trim().split("\n").slice(-3).join("\n"));
    console.log("");
    console.log(
      `${"latency".padEnd(40)} ${"entries".padStart(10)} ${"p50 ms".padStart(7)} ${"p95 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"max ms".padStart(7)}`,
    );
    console.log(row("Kafka write -> Redis subscriber (ref.)", reach));
    console.log(row(`Kafka write -> SSE clients (${CLIENTS})`, clientLatencies));
    console.log(row(`event_time -> SSE clients (${CLIENTS})`, sinceEventTime));
    if (unmatched > 0) say(`${unmatched} entries had no Kafka write time (left out)`);
    console.log("");
    console.log(
      `events published on the channel: ${published}; received per client: min ${Math.min(...perClient)}, max ${Math.max(...perClient)} (all ${perClient.every((n) => n === published) ? "complete" : "NOT complete"})`,
    );
    console.log(`web process:  CPU ${web.cpuPercent.toFixed(0)}% of a core, peak RSS ${web.peakRssMb.toFixed(0)} MB`);
    console.log(`live worker:  CPU ${live.cpuPercent.toFixed(0)}% of a core, peak RSS ${live.peakRssMb.toFixed(0)} MB`);
    console.log(`bench (clients + reference): CPU ${bench.cpuPercent.toFixed(0)}% of a core, peak RSS ${bench.peakRssMb.toFixed(0)} MB`);
    console.log(
      `aim: SSE p95 < 2000 ms, p99 < 3000 ms -> p95 ${clientLatencies.pct(95).toFixed(0)} ms, p99 ${clientLatencies.pct(99).toFixed(0)} ms`,
    );
    console.log(
      `JSON: ${JSON.stringify({ clients: CLIENTS, rate: RATE, reference: { p50: reach.pct(50), p95: reach.pct(95), p99: reach.pct(99) }, sse: { p50: clientLatencies.pct(50), p95: clientLatencies.pct(95), p99: clientLatencies.pct(99) }, web, live })}`,
    );
  } finally {
    clients.abort();
    simulator?.kill("SIGTERM");
    await app?.stop();
    worker?.kill("SIGTERM");
    reference.disconnect();
    const kafka = new Kafka({ clientId: "bench-live-cleanup", brokers: kafkaBrokers(config), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}_dlq`] }).catch(() => undefined);
    await admin.disconnect();
    await db.drop();
  }
}

main().then(
  // Exits rather than waiting for the last sockets of the clients to close.
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
