// Real Kafka (KAFKA_BROKERS, default localhost:9092): batching and failure behaviour of the event producer.
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig, kafkaBrokers } from "../config";
import { logger } from "../logging/logger";
import type { StoredEvent } from "../events";
import { createKafka } from "./client";
import { EventProducer, KafkaUnavailableError } from "./producer";
import { ensureTopics } from "./topics";
import { DEFAULT_SITE_ID } from "../sites/defaultSite";

const topic = `web_events_producer_test_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
// A topic that refuses record batches over 300 kB, for the byte cap of a send.
const smallTopic = `${topic}_small`;
const SMALL_TOPIC_MAX_BYTES = 300_000;
const brokers = kafkaBrokers();

function storedEvent(session = `s_${randomUUID().slice(0, 8)}`, padBytes = 0): StoredEvent {
  return {
    site_id: DEFAULT_SITE_ID,
    event_type: "page_visited",
    user_id: "u",
    session_id: session,
    event_id: randomUUID(),
    event_time: new Date().toISOString(),
    ...(padBytes > 0 ? { props: { pad: "x".repeat(padBytes) } } : {}),
  };
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
  const admin = createKafka({ clientSuffix: "test" }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: smallTopic, numPartitions: 1, configEntries: [{ name: "max.message.bytes", value: String(SMALL_TOPIC_MAX_BYTES) }] },
      ],
    });
  } finally {
    await admin.disconnect();
  }
});

afterAll(async () => {
  const admin = createKafka({ clientSuffix: "test" }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, smallTopic] }).catch(() => undefined);
  await admin.disconnect();
});

describe("EventProducer", () => {
  it.each([1, 2])(
    "collects concurrent publishes into few sends (%i in flight), each resolving only once its events are on the topic",
    async (sendConcurrency) => {
      const producer = new EventProducer({ topic, lingerMs: 5, sendConcurrency });
      try {
        await producer.connect();
        const before = await highWatermarks();
        const publishes = Array.from({ length: 200 }, (_, i) =>
          producer.publish(i % 10 === 0 ? [storedEvent(), storedEvent()] : [storedEvent()]),
        );
        await Promise.all(publishes);
        expect(await highWatermarks()).toBe(before + 220);
        expect(producer.stats.messages).toBe(220);
        expect(producer.stats.sends).toBeLessThanOrEqual(6);
      } finally {
        await producer.close();
      }
    },
  );

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

  describe("byte cap of one send", () => {
    const CAP = 100_000;
    /** 10 publishes of ~40 kB and one of ~250 kB, all of one session (one partition), in one tick. */
    function publishes(producer: EventProducer): Array<Promise<void>> {
      const session = `s_${randomUUID().slice(0, 8)}`;
      const small = Array.from({ length: 10 }, () => producer.publish([storedEvent(session, 40_000)]));
      const big = producer.publish(Array.from({ length: 5 }, () => storedEvent(session, 50_000)));
      return [...small.slice(0, 5), big, ...small.slice(5)];
    }

    it("puts at most maxSendBytes in one send and a bigger publish alone, so all of them are accepted", async () => {
      const sends: Array<{ requests: number; bytes: number }> = [];
      const log = pino({ level: "trace" }, { write: (line: string) => void sends.push(...sendsIn(line)) });
      const producer = new EventProducer({ topic: smallTopic, lingerMs: 5, maxSendBytes: CAP, logger: log });
      try {
        await producer.connect();
        await Promise.all(publishes(producer));
        expect(producer.stats.messages).toBe(15);
        expect(sends.map((s) => s.requests).reduce((a, b) => a + b, 0)).toBe(11);
        const alone = sends.filter((s) => s.bytes > CAP);
        expect(alone).toEqual([{ requests: 1, bytes: expect.any(Number) }]);
        expect(alone[0]!.bytes).toBeGreaterThan(250_000);
        expect(producer.stats.largestSendBytes).toBe(alone[0]!.bytes);
      } finally {
        await producer.close();
      }
    });

    it("without the cap, the same publishes share one send that the broker refuses, and all fail", async () => {
      const quiet = logger.child({}, { level: "silent" });
      const producer = new EventProducer({ topic: smallTopic, lingerMs: 5, maxSendBytes: Number.POSITIVE_INFINITY, logger: quiet });
      try {
        await producer.connect();
        const results = await Promise.allSettled(publishes(producer));
        expect(results.map((r) => r.status)).toEqual(Array(11).fill("rejected"));
        const error = (results[0] as PromiseRejectedResult).reason as KafkaUnavailableError;
        expect(error).toBeInstanceOf(KafkaUnavailableError);
        // The send reached the broker: as far as the producer can tell, it may have been written.
        expect(error.written).toBe("unknown");
        expect(producer.stats.failedSends).toBe(1);
      } finally {
        await producer.close();
      }
    });
  });

  it("refuses publishes after close", async () => {
    const producer = new EventProducer({ topic });
    await producer.close();
    await expect(producer.publish([storedEvent()])).rejects.toBeInstanceOf(KafkaUnavailableError);
  });
});

/** The "sent" trace lines of the producer: requests and bytes of each send. */
function sendsIn(line: string): Array<{ requests: number; bytes: number }> {
  const entry = JSON.parse(line) as { msg?: string; requests?: number; bytes?: number };
  return entry.msg === "sent" ? [{ requests: entry.requests!, bytes: entry.bytes! }] : [];
}
