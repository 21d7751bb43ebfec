import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type RetryOptions } from "kafkajs";
import { getConfig, kafkaBrokers, type AppConfig } from "../config";
import { logger as rootLogger, type Logger } from "../logging/logger";

export interface CreateKafkaOptions {
  config?: AppConfig;
  /** Appended to kafka.client_id, e.g. "web" gives "pulse-web", so brokers can tell processes apart. */
  clientSuffix?: string;
  /** Defaults to kafkaBrokers(config). */
  brokers?: string[];
  /** TCP connect timeout per broker; local and LAN brokers answer in milliseconds. */
  connectionTimeout?: number;
  requestTimeout?: number;
  retry?: RetryOptions;
  logger?: Logger;
}

/**
 * Defaults tuned so a missing broker is noticed in about a second rather than kafkajs' ~30 s:
 * short connect timeout and a few quick retries. Long-running callers (consumers) may pass more.
 */
export const DEFAULT_KAFKA_RETRY: RetryOptions = { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 };

// Messages kafkajs logs that we handle ourselves and so only want at debug level.
const QUIET_MESSAGES = [
  "Limiting retries for the idempotent producer", // the event producer resets itself after a failure instead
  "KafkaJS v2.0.0 switched default partitioner",
];

function kafkaLevelFor(log: Logger): KafkaLogLevel {
  switch (log.level) {
    case "trace":
    case "debug":
      return KafkaLogLevel.DEBUG;
    case "info":
      return KafkaLogLevel.INFO;
    case "warn":
      return KafkaLogLevel.WARN;
    case "silent":
      return KafkaLogLevel.NOTHING;
    default:
      return KafkaLogLevel.ERROR;
  }
}

/** Routes kafkajs' own logs to pino, one child logger per kafkajs namespace. */
export function pinoLogCreator(log: Logger) {
  const base = log.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...extra } = entry as LogEntry["log"] & { logger?: string };
      const fields = { ns: namespace, ...extra };
      const quiet = QUIET_MESSAGES.some((m) => message.startsWith(m));
      if (quiet) return base.debug(fields, message);
      switch (level) {
        case KafkaLogLevel.ERROR:
          return base.error(fields, message);
        case KafkaLogLevel.WARN:
          return base.warn(fields, message);
        case KafkaLogLevel.INFO:
          return base.info(fields, message);
        default:
          return base.debug(fields, message);
      }
    };
}

/** A kafkajs client built from the validated configuration. */
export function createKafka(options: CreateKafkaOptions = {}): Kafka {
  const config = options.config ?? getConfig();
  const log = options.logger ?? rootLogger;
  return new Kafka({
    clientId: options.clientSuffix ? `${config.kafka.client_id}-${options.clientSuffix}` : config.kafka.client_id,
    brokers: options.brokers ?? kafkaBrokers(config),
    connectionTimeout: options.connectionTimeout ?? 1_000,
    requestTimeout: options.requestTimeout ?? 30_000,
    retry: options.retry ?? DEFAULT_KAFKA_RETRY,
    logLevel: kafkaLevelFor(log),
    logCreator: pinoLogCreator(log),
  });
}
