import pino from "pino";

/** Structured JSON logs for every process; LOG_LEVEL=debug for more. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  // Each process names itself with logger.child({ service }).
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;
