/**
 * Minimal local Kafka factory for the consumer worker.
 * TODO(swap): replace with src/core/kafka/client.ts + topics.ts once they land (same shape).
 */
import { Kafka, logLevel, type LogEntry } from "kafkajs";
import { kafkaBrokers, type AppConfig } from "@/core/config";
import type { Logger } from "@/core/logging/logger";

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

export function createKafka(config: AppConfig, logger: Logger, clientIdSuffix = "consumer"): Kafka {
  const log = logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId: `${config.kafka.client_id}-${clientIdSuffix}`,
    brokers: kafkaBrokers(config),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? "info"](rest, message);
      },
  });
}

/** Creates the topics if missing (a broker may have auto-creation disabled). */
export async function ensureTopics(kafka: Kafka, config: AppConfig, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: config.kafka.partitions })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
