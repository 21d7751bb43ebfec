// Real Kafka (KAFKA_BROKERS, default localhost:9092): batching and failure behaviour of the event producer.
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig, kafkaBrokers } from "../config";
import { logger } from "../logging/logger";
import type { StoredEvent } from "../events";
import { createKafka } from "./client";
import { EventProducer, KafkaUnavailableError } from "./producer";
import { ensureTopics } from "./topics";

const topic = `web_events_producer_test_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
const brokers = kafkaBrokers();

function storedEvent(session = `s_${randomUUID().slice(0, 8)}`): StoredEvent {
  return { event_type: "page_visited", user_id: "u", session_id: session, event_id: randomUUID(), event_time: new Date().toISOString() };
}

async function highWatermarks(): Promise<number> {
  const admin = new Kafka({ clientId: "producer-test", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  await ensureTopics({ topics: [topic] });
});

afterAll(async () => {
  const admin = createKafka({ clientSuffix: "test" }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe("EventProducer", () => {
  it.each([1, 2])("collects concurrent publishes into few sends (%i in flight), each resolving only once its events are on the topic", async (sendConcurrency) => {
    const producer = new EventProducer({ topic, lingerMs: 5, sendConcurrency });
    try {
      await producer.connect();
      const before = await highWatermarks();
      const publishes = Array.from({ length: 200 }, (_, i) => producer.publish(i % 10 === 0 ? [storedEvent(), storedEvent()] : [storedEvent()]));
      await Promise.all(publishes);
      expect(await highWatermarks()).toBe(before + 220);
      expect(producer.stats.messages).toBe(220);
      expect(producer.stats.sends).toBeLessThanOrEqual(6);
    } finally {
      await producer.close();
    }
  });

  it("rejects with KafkaUnavailableError within the send timeout when no broker answers, then fails fast", async () => {
    const config = getConfig();
    const quiet = logger.child({}, { level: "silent" });
    const producer = new EventProducer({
      config,
      topic,
      logger: quiet,
      kafka: createKafka({ config, brokers: ["127.0.0.1:1"], clientSuffix: "test-dead", logger: quiet }),
      sendTimeoutMs: 2_000,
      retryIntervalMs: 1_000,
    });
    try {
      const started = Date.now();
      const error = await producer.publish([storedEvent()]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaUnavailableError);
      expect((error as KafkaUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      // It never connected, so nothing can have been written.
      expect((error as KafkaUnavailableError).written).toBe("none");
      expect(Date.now() - started).toBeLessThan(2_500);

      const again = Date.now();
      const fastFail = await producer.publish([storedEvent()]).catch((e: unknown) => e);
      expect(fastFail).toBeInstanceOf(KafkaUnavailableError);
      expect((fastFail as KafkaUnavailableError).written).toBe("none");
      expect(Date.now() - again).toBeLessThan(100);
      expect(producer.healthy).toBe(false);
    } finally {
      await producer.close();
    }
  });

  it("refuses publishes after close", async () => {
    const producer = new EventProducer({ topic });
    await producer.close();
    await expect(producer.publish([storedEvent()])).rejects.toBeInstanceOf(KafkaUnavailableError);
  });
});
