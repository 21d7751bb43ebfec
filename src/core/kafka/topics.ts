import type { Admin, ConfigResourceTypes, Kafka } from "kafkajs";
import { getConfig, type AppConfig } from "../config";
import { logger } from "../logging/logger";
import { createKafka } from "./client";

// kafkajs' named ESM exports end before ConfigResourceTypes (Node's CommonJS export detection stops
// at `CompressionTypes: Compression.Types`), so its TOPIC value is spelled out here.
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

/** max.message.bytes of the topics the platform creates (the broker's default is about 1 MiB). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * Framing per stored event beyond what its request body carried: the stamped event_id and
 * event_time (≈ 90 bytes of JSON) and the record itself (its key, a session_id of up to 256 bytes,
 * and varints), rounded up.
 */
const PER_EVENT_OVERHEAD_BYTES = 400;

/**
 * The biggest record batch one ingest request can make, its events all on one partition (one
 * session): the body, plus the overhead of each of its events, plus the batch header.
 */
export function largestRequestBatchBytes(config: AppConfig): number {
  return config.ingest.max_body_bytes + config.ingest.max_batch_events * PER_EVENT_OVERHEAD_BYTES + 1024;
}

export interface EnsureTopicsOptions {
  config?: AppConfig;
  kafka?: Kafka;
  /** Defaults to the event topic and its dead-letter topic from the config. */
  topics?: string[];
  /** Defaults to config.kafka.partitions. */
  partitions?: number;
  /** Tries of the create-and-wait-for-leaders step before its error is thrown (default 20). */
  attempts?: number;
  /** Pause between two tries (default 500 ms). */
  retryDelayMs?: number;
}

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Existing topics whose max.message.bytes is below largestRequestBatchBytes (a warning is logged). */
  batchLimitTooSmall: string[];
}

/** The topics the platform needs: the event topic and its dead-letter topic. */
export function platformTopics(config: AppConfig = getConfig()): string[] {
  return [config.kafka.topic, config.kafka.dlq_topic];
}

/**
 * Creates the missing topics with the configured partition count (replication factor from the
 * broker's default) and room for the biggest request, and waits for their leaders. Existing topics
 * are left as they are: adding partitions later would move session_ids to other partitions, so a
 * smaller count only warns, and so does a record-batch limit too small for the biggest request
 * (kafkajs has only the non-incremental AlterConfigs, which would drop the topic's other settings).
 */
export async function ensureTopics(options: EnsureTopicsOptions = {}): Promise<EnsureTopicsResult> {
  const config = options.config ?? getConfig();
  const topics = options.topics ?? platformTopics(config);
  const partitions = options.partitions ?? config.kafka.partitions;
  const needed = largestRequestBatchBytes(config);
  const admin = (options.kafka ?? createKafka({ config, clientSuffix: "admin" })).admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !present.has(t));
    if (missing.length > 0) {
      await createWithLeaders(admin, missing, partitions, Math.max(MAX_MESSAGE_BYTES, needed), options);
      logger.info({ topics: missing, partitions }, "created Kafka topics");
    }
    const existing = topics.filter((t) => present.has(t));
    const batchLimitTooSmall: string[] = [];
    if (existing.length > 0) {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: existing.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ["max.message.bytes"] })),
      });
      for (const resource of described.resources) {
        const limit = Number(resource.configEntries.find((e) => e.configName === "max.message.bytes")?.configValue);
        if (Number.isFinite(limit) && limit < needed) {
          batchLimitTooSmall.push(resource.resourceName);
          logger.warn(
            { topic: resource.resourceName, maxMessageBytes: limit, needed },
            "topic's max.message.bytes is below the biggest ingest request, which Kafka will then refuse; raise it with " +
              `kafka-configs.sh --alter --entity-type topics --entity-name ${resource.resourceName} --add-config max.message.bytes=${MAX_MESSAGE_BYTES}`,
          );
        }
      }
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
    return { created: missing, existing, batchLimitTooSmall };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates the topics and waits until every partition has a leader, trying again while that fails.
 * On a cluster, kafkajs's createTopics({ waitForLeaders }) asks one broker for the new topics'
 * metadata before that broker has applied them, and gives up on UNKNOWN_TOPIC_OR_PARTITION (it
 * waits out LEADER_NOT_AVAILABLE only; node_modules/kafkajs/src/admin/index.js) although the
 * topics were made: 40-75% of creations on scripts/kafka/cluster.sh, at any time, never on one
 * broker. A topic an earlier try (or another process) created counts as created; the leader check
 * then runs on metadata. test/integration/kafka/broker-loss.test.ts creates its topics this way.
 */
async function createWithLeaders(
  admin: Admin,
  topics: string[],
  partitions: number,
  maxMessageBytes: number,
  options: EnsureTopicsOptions,
): Promise<void> {
  const attempts = options.attempts ?? 20;
  for (let attempt = 1; ; attempt++) {
    try {
      const present = new Set(await admin.listTopics());
      const absent = topics.filter((t) => !present.has(t));
      if (absent.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: absent.map((topic) => ({
            topic,
            numPartitions: partitions,
            replicationFactor: -1,
            // One ingest request (≤ max_body_bytes) plus the stamped event_id/event_time must fit in one
            // record batch even when all its events share a partition; the broker default is 1 MiB.
            configEntries: [{ name: "max.message.bytes", value: String(maxMessageBytes) }],
          })),
        });
      }
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      const leaderless = meta.filter((t) => t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
      if (leaderless.length > 0) throw new Error(`no leader yet for partitions of ${leaderless.join(", ")}`);
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      logger.warn({ error: (err as Error).message, attempt, topics }, "creating Kafka topics failed; trying again");
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 500));
    }
  }
}
