import pino from "pino";

/** Structured JSON logs for every process; LOG_LEVEL=debug for more. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.PULSE_SERVICE ?? "pulse" },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;
