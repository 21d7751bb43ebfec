/**
 * npm run bench:durability — acknowledged events across the loss of a broker, on the local
 * three-broker cluster (scripts/kafka/cluster.sh start): streams BENCH_EVENTS (default 20,000)
 * events in batches of 100 through the platform's producer (src/core/kafka/producer.ts; RAW=1 for
 * a plain kafkajs idempotent producer), SIGKILLs node 2 at 30% and starts it again at 70%, then
 * reads the topic back by offset and prints how many acknowledged events are missing (must be 0:
 * "a lost broker loses no acknowledged event") and how many are on the topic twice. Copies are
 * allowed by the contract (a resend is too) and count once (same event_id); they come from kafkajs
 * resending, with new sequence numbers, a request still in flight when another broker failed.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../src/core/config/load";
import type { StoredEvent } from "../src/core/events";
import { EventProducer } from "../src/core/kafka/producer";
import { ensureTopics } from "../src/core/kafka/topics";

const BROKERS = (process.env.KAFKA_CLUSTER_BROKERS ?? "127.0.0.1:9192,127.0.0.1:9193,127.0.0.1:9194").split(",");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RAW = process.env.RAW === "1";
const cluster = (...args: string[]) => execFileSync("bash", ["scripts/kafka/cluster.sh", ...args], { stdio: "ignore" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const topic = `durability_${Date.now()}`;
  const kafka = new Kafka({ clientId: "bench-durability", brokers: BROKERS, logLevel: logLevel.NOTHING });
  const config = loadConfig({ ...process.env, KAFKA_BROKERS: BROKERS.join(",") });
  // ensureTopics tries again while a node that just (re)joined still lags in metadata.
  await ensureTopics({ config, kafka, topics: [topic], partitions: 3 });
  const admin = kafka.admin();
  await admin.connect();
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  const replicas = meta.topics[0]!.partitions.map((p) => p.replicas.length);

  const producer = new EventProducer({
    config,
    topic,
    sendTimeoutMs: 30_000,
  });
  const raw = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await (RAW ? raw.connect() : producer.connect());
  const acked = new Set<string>();
  let refusals = 0;
  let firstRefusal: string | undefined;
  const t0 = Date.now();
  for (let i = 0; i < EVENTS; i += 100) {
    if (i === Math.floor((EVENTS * 0.3) / 100) * 100) cluster("kill", "2");
    if (i === Math.floor((EVENTS * 0.7) / 100) * 100) cluster("start-node", "2");
    const events: StoredEvent[] = Array.from({ length: 100 }, (_, j) => ({
      site_id: randomUUID(),
      event_type: "page_visited",
      user_id: "durability",
      session_id: `s${(i + j) % 50}`,
      event_id: randomUUID(),
      event_time: new Date().toISOString(),
      page_path: "/",
    }));
    // As a client does with a 503: wait, then send the same events (same event_ids) again.
    for (let attempt = 1; ; attempt++) {
      try {
        if (RAW) {
          await raw.send({
            topic,
            acks: -1,
            messages: events.map((e) => ({ key: `${e.site_id}:${e.session_id}`, value: JSON.stringify(e) })),
          });
        } else await producer.publish(events);
        for (const e of events) acked.add(e.event_id);
        break;
      } catch (err) {
        refusals++;
        firstRefusal ??= (err as Error).message;
        if (attempt >= 30) break;
        await sleep(1_000);
      }
    }
  }
  const sendMs = Date.now() - t0;
  await (RAW ? raw.disconnect() : producer.close());

  // Read back by position, so a redelivery to the reader is not mistaken for a copy on the topic.
  const offsets = await admin.fetchTopicOffsets(topic);
  const onTopic = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  const positions = new Map<string, string>();
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      positions.set(`${partition}:${message.offset}`, (JSON.parse(message.value!.toString()) as { event_id: string }).event_id);
    },
  });
  const until = Date.now() + 60_000;
  while (positions.size < onTopic && Date.now() < until) await sleep(200);
  await consumer.disconnect();
  const copies = new Map<string, number>();
  for (const id of positions.values()) copies.set(id, (copies.get(id) ?? 0) + 1);
  const missing = [...acked].filter((id) => !copies.has(id)).length;
  const twice = [...copies.values()].filter((n) => n > 1).length;
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();

  console.log(`Durability across a broker loss (${RAW ? "plain kafkajs idempotent producer" : "the platform's EventProducer"}, acks=all)`);
  console.log(`replicas per partition: ${replicas.join(", ")}; node 2 killed at 30%, back at 70%; sending took ${sendMs} ms`);
  console.log(`acknowledged ${acked.size} of ${EVENTS}; on the topic ${onTopic}, read back ${positions.size}`);
  console.log(`batches refused and sent again after 1 s: ${refusals}${firstRefusal ? ` (first: ${firstRefusal})` : ""}`);
  console.log(`acknowledged but missing: ${missing} (must be 0)`);
  console.log(`on the topic more than once: ${twice} (counted once: same event_id)`);
  if (!RAW) console.log(`sent again by the producer after kafkajs left their partition out: ${producer.stats.resent}`);
  process.exitCode = missing > 0 ? 1 : 0;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
