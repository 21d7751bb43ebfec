import type { AppConfig } from "./schema";
import { loadConfig } from "./load";

export type { AppConfig } from "./schema";
export { ConfigError, loadConfig } from "./load";

let cached: AppConfig | undefined;

/** The process-wide configuration, loaded and validated on first use. */
export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}

/** Reads the configuration again, for a process that moves to other settings (bench:dashboard's sizes, each its own database). */
export function reloadConfig(): AppConfig {
  cached = loadConfig();
  return cached;
}

export const LOCAL_KAFKA_BROKER = "localhost:9092";

/** Brokers to connect to: the configured list, or the local broker the platform starts. */
export function kafkaBrokers(config: AppConfig = getConfig()): string[] {
  return config.kafka.brokers.length > 0 ? config.kafka.brokers : [LOCAL_KAFKA_BROKER];
}
