import type { Kafka } from "kafkajs";
import { ConfigError, getConfig, type AppConfig } from "@/core/config";
import { createKafka } from "@/core/kafka/client";
import type { Logger } from "@/core/logging/logger";

/**
 * What the Kafka workers (workers/consumer, workers/live) start with: the checked config, or exit
 * code 2 with the config's own message (a supervisor should not restart a worker that cannot
 * start); and a Kafka client that rides out broker restarts instead of failing fast like the web app.
 */
export function workerConfig(): AppConfig {
  try {
    return getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

export function workerKafka(config: AppConfig, clientSuffix: string, logger: Logger): Kafka {
  return createKafka({
    config,
    clientSuffix,
    logger,
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
  });
}
