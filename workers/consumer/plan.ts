import { deadLetterLogPath, eventLogPath, isSessionBoundary, sessionLogPath } from "@/core/logs/paths";
import { decodeEventMessage } from "./decode";
import { deadLetterRecord, type DeadLetter, type SourceMessage } from "./deadLetter";

/** What one chunk of a Kafka batch turns into: lines per log file, and poison messages. */
export interface BatchPlan {
  /** File path -> JSON lines (without '\n'), in offset order. Includes dead-letter log lines. */
  lines: Map<string, Buffer[]>;
  deadLetters: DeadLetter[];
  events: number;
}

function push(map: Map<string, Buffer[]>, file: string, line: Buffer): void {
  const list = map.get(file);
  if (list) list.push(line);
  else map.set(file, [line]);
}

/**
 * Pure: decodes messages and groups the lines by the file they belong to (docs/logs.md, layout in
 * src/core/logs/paths.ts: by site, hour and this batch's partition), so the writer does one append
 * per file per batch.
 */
export function planBatch(
  topic: string,
  partition: number,
  messages: readonly SourceMessage[],
  logsDir: string,
  now: Date = new Date(),
): BatchPlan {
  const lines = new Map<string, Buffer[]>();
  const deadLetters: DeadLetter[] = [];
  // Consecutive events usually share a site and an hour: cache the last paths.
  let lastHour = "";
  let lastEventsFile = "";
  let lastSessionsFile = "";
  let events = 0;
  for (const message of messages) {
    const decoded = decodeEventMessage(message.value);
    if (!decoded.ok) {
      deadLetters.push(deadLetterRecord(topic, partition, message, decoded.error, now));
      continue;
    }
    const hour = `${decoded.siteId}/${decoded.eventTime.slice(0, 13)}`;
    if (hour !== lastHour) {
      lastHour = hour;
      lastEventsFile = eventLogPath(logsDir, decoded.siteId, decoded.eventTime, partition);
      lastSessionsFile = sessionLogPath(logsDir, decoded.siteId, decoded.eventTime, partition);
    }
    push(lines, lastEventsFile, decoded.line);
    if (isSessionBoundary(decoded.eventType)) push(lines, lastSessionsFile, decoded.line);
    events++;
  }
  if (deadLetters.length > 0) {
    const file = deadLetterLogPath(logsDir, now, partition);
    for (const dl of deadLetters) push(lines, file, Buffer.from(JSON.stringify(dl.record)));
  }
  return { lines, deadLetters, events };
}
