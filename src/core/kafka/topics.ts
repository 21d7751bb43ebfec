import type { Kafka } from "kafkajs";
import { getConfig, type AppConfig } from "../config";
import { logger } from "../logging/logger";
import { createKafka } from "./client";

export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export interface EnsureTopicsOptions {
  config?: AppConfig;
  kafka?: Kafka;
  /** Defaults to the event topic and its dead-letter topic from the config. */
  topics?: string[];
  /** Defaults to config.kafka.partitions. */
  partitions?: number;
}

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/** The topics the platform needs: the event topic and its dead-letter topic. */
export function platformTopics(config: AppConfig = getConfig()): string[] {
  return [config.kafka.topic, config.kafka.dlq_topic];
}

/**
 * Creates the missing topics with the configured partition count (replication factor from the
 * broker's default) and waits for their leaders. Existing topics are left as they are: adding
 * partitions later would move session_ids to other partitions, so a smaller count only warns.
 */
export async function ensureTopics(options: EnsureTopicsOptions = {}): Promise<EnsureTopicsResult> {
  const config = options.config ?? getConfig();
  const topics = options.topics ?? platformTopics(config);
  const partitions = options.partitions ?? config.kafka.partitions;
  const admin = (options.kafka ?? createKafka({ config, clientSuffix: "admin" })).admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !present.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: -1,
          // One ingest request (≤ max_body_bytes) plus the stamped event_id/event_time must fit in one
          // record batch even when all its events share a partition; the broker default is 1 MiB.
          configEntries: [{ name: "max.message.bytes", value: String(MAX_MESSAGE_BYTES) }],
        })),
      });
      logger.info({ topics: missing, partitions }, "created Kafka topics");
    }
    const existing = topics.filter((t) => present.has(t));
    if (existing.length > 0) {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: existing });
      for (const t of meta) {
        if (t.partitions.length < partitions) {
          logger.warn(
            { topic: t.name, partitions: t.partitions.length, configured: partitions },
            "topic has fewer partitions than kafka.partitions; left unchanged",
          );
        }
      }
    }
    return { created: missing, existing };
  } finally {
    await admin.disconnect();
  }
}
