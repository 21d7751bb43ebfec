/**
 * Live worker: Kafka topic `kafka.topic` -> the live view's state in Redis (docs/live.md), in its
 * own consumer group (`live.consumer_group`). Run: npm run live:worker (npm start runs it).
 */
import { Redis } from "ioredis";
import { ensureTopics } from "@/core/kafka/topics";
import { LiveWriter } from "@/core/live/writer";
import { logger as rootLogger } from "@/core/logging/logger";
import { installShutdown } from "../consumer/shutdown";
import { workerConfig, workerKafka } from "../shared/kafkaWorker";
import { LiveConsumer } from "./consumer";

const SHUTDOWN_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  const logger = rootLogger.child({ worker: "live" });
  const config = workerConfig();
  const { topic } = config.kafka;
  const groupId = config.live.consumer_group;
  const kafka = workerKafka(config, "live", logger);
  // Its own connection: commands wait through a Redis restart instead of failing the batch (which
  // kafkajs would then retry from the last commit; the offsets in Redis keep that exact).
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  redis.on("error", (err) => logger.warn({ err }, "redis connection error (retrying)"));
  const consumer = new LiveConsumer({
    kafka,
    logger,
    writer: new LiveWriter(redis, groupId),
    topic,
    groupId,
    concurrency: config.kafka.partitions,
    onFatal: () => void shutdown("live consumer crashed", 1),
  });

  let started = false;
  const shutdown = installShutdown({
    logger,
    timeoutMs: SHUTDOWN_TIMEOUT_MS,
    cleanup: async () => {
      if (started) await consumer.stop();
      logger.info(consumer.stats, "live worker stopped");
      await redis.quit();
    },
  });

  logger.info({ topic, groupId }, "live worker starting");
  await ensureTopics({ config, kafka });
  consumer.onGroupJoin(() => logger.info({ topic, groupId }, "live worker joined the group"));
  await consumer.start();
  started = true;
  logger.info("live worker running");
}

main().catch((err: unknown) => {
  rootLogger.error({ err }, "live worker failed to start");
  process.exit(1);
});
