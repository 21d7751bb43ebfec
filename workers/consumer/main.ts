/**
 * Consumer worker: Kafka topic `kafka.topic` -> JSON Lines under `logs.dir` (docs/logs.md).
 * Run: npm run consumer. Settings from global_config.yaml + environment (KAFKA_BROKERS,
 * KAFKA_TOPIC, LOGS_DIR, PULSE_KAFKA_DLQ_TOPIC, PULSE_KAFKA_CONSUMER_GROUP, LOG_LEVEL).
 */
import path from "node:path";
import { kafkaBrokers } from "@/core/config";
import { ensureTopics } from "@/core/kafka/topics";
import { logger as rootLogger } from "@/core/logging/logger";
import { JsonlConsumer } from "./consumer";
import { workerConfig, workerKafka } from "../shared/kafkaWorker";
import { installShutdown } from "./shutdown";
import { JsonlWriter } from "./writer";

/** How long a graceful shutdown may take before the process exits anyway (tests shorten it). */
const SHUTDOWN_TIMEOUT_MS = (() => {
  const ms = Number(process.env.CONSUMER_SHUTDOWN_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 15_000;
})();

async function main(): Promise<void> {
  const logger = rootLogger.child({ worker: "consumer" });
  const config = workerConfig();
  const logsDir = path.resolve(config.logs.dir);
  const { topic, dlq_topic: dlqTopic, consumer_group: groupId } = config.kafka;
  const kafka = workerKafka(config, "consumer", logger);
  const writer = new JsonlWriter({
    onRepair: (file, droppedBytes) => logger.warn({ file, droppedBytes }, "cut a partial last line left by an interrupted write"),
  });
  const consumer = new JsonlConsumer({
    kafka,
    logger,
    writer,
    topic,
    dlqTopic,
    groupId,
    logsDir,
    concurrency: config.kafka.partitions,
    // Exit non-zero so the supervisor (platform runner, docker restart policy) starts a fresh one.
    onFatal: () => void shutdown("consumer crashed", 1),
  });

  let started = false;
  const shutdown = installShutdown({
    logger,
    timeoutMs: SHUTDOWN_TIMEOUT_MS,
    cleanup: async () => {
      if (started) await consumer.stop();
      await writer.close();
    },
  });

  logger.info({ brokers: kafkaBrokers(config), topic, dlqTopic, groupId, logsDir }, "consumer starting");
  await ensureTopics({ config, kafka });
  consumer.onGroupJoin(() => logger.info({ topic, groupId }, "consumer joined the group"));
  await consumer.start();
  started = true;
  logger.info("consumer running");
}

main().catch((err: unknown) => {
  rootLogger.error({ err }, "consumer failed to start");
  process.exit(1);
});
