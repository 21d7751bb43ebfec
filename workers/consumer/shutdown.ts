import type { Logger } from "@/core/logging/logger";

export interface ShutdownOptions {
  logger: Logger;
  /** After this long the process exits with code 1 even if cleanup has not finished. */
  timeoutMs: number;
  /** Stops work and releases resources; the process exits 0 once it resolves. */
  cleanup: () => Promise<void>;
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/**
 * On SIGTERM/SIGINT: run `cleanup` once (stop fetching, finish the current batch, commit,
 * disconnect), exit 0; exit 1 if it fails or takes longer than `timeoutMs`. The returned
 * function starts the same shutdown from code (with another exit code, e.g. after a crash).
 * A second signal while shutting down is logged and otherwise ignored (the timeout still applies).
 */
export function installShutdown({
  logger,
  timeoutMs,
  cleanup,
  exit = process.exit,
  signals = ["SIGTERM", "SIGINT"],
}: ShutdownOptions): (reason: string, exitCode?: number) => Promise<void> {
  let shuttingDown = false;
  const shutdown = async (reason: string, exitCode = 0): Promise<void> => {
    if (shuttingDown) {
      logger.warn({ reason }, "already shutting down");
      return;
    }
    shuttingDown = true;
    logger.info({ reason, timeoutMs }, "shutting down: finishing the current batch");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out, forcing exit");
      exit(1);
    }, timeoutMs);
    timer.unref();
    try {
      await cleanup();
      logger.info("shutdown complete");
      exit(exitCode);
    } catch (err) {
      logger.error({ err }, "shutdown failed");
      exit(1);
    } finally {
      clearTimeout(timer);
    }
  };
  for (const signal of signals) {
    process.on(signal, () => void shutdown(signal));
  }
  return shutdown;
}
