import { setImmediate as nextTurn } from "node:timers/promises";
import type { DateOf } from "../../src/core/metrics/dates";
import { summarizeSession } from "../../src/core/metrics/session";
import type { FactWriter } from "./factWriter";
import type { FileState } from "./files";
import { absolutePath, readLines, readLinesOfSessions, SessionEvents, sessionKey, splitSessionKey } from "./logReader";
import type { Quarantine } from "./quarantine";

export interface ReadPlan {
  files: readonly FileState[];
  logsDir: string;
  /** The new part of each file with one (by index in files). */
  newParts: ReadonlyMap<number, { from: number; to: number }>;
  /** Files whose already read part holds earlier events of `known` sessions. */
  earlierFiles: ReadonlySet<number>;
  /** Sessions seen by an earlier pass (sessionKey). */
  known: ReadonlyMap<string, unknown>;
  /** The sessions (sessionKey) whose last events are in each file: summarized once it is read (and the entry dropped). */
  finishingAt: Map<number, readonly string[]>;
  setAside: ReadonlySet<string>;
  sites: ReadonlyMap<string, { dateOf: DateOf }>;
  quarantine: Quarantine;
  writer: FactWriter;
}

/**
 * Step 2–4 of a pass (pass.ts): reads the files in order, checks every line, and hands each
 * session's facts to the writer as soon as the last file holding its events has been read.
 */
export async function readSessions(plan: ReadPlan): Promise<{ eventsRead: number; skippedLines: number }> {
  const { files, logsDir, newParts, earlierFiles, known, finishingAt, setAside, sites, quarantine, writer } = plan;
  const events = new SessionEvents(setAside);
  let eventsRead = 0;
  let skippedLines = 0;
  const summarize = (key: string): void => {
    const sessionEvents = events.take(key);
    if (!sessionEvents) return;
    const { siteId, sessionId } = splitSessionKey(key);
    writer.add({ siteId, facts: summarizeSession(sessionId, sessionEvents, sites.get(siteId)!.dateOf) });
  };
  for (const [i, file] of files.entries()) {
    const part = newParts.get(i);
    if (!part && !earlierFiles.has(i)) continue;
    const filePath = absolutePath(logsDir, file.relPath);
    if (earlierFiles.has(i) && file.done > 0) {
      // Lines refused when they were first read are refused again here, silently: they are on record.
      const wanted = (sessionId: string) => known.has(sessionKey(file.siteId, sessionId));
      await readLinesOfSessions(filePath, 0, file.done, wanted, (line) => events.addLine(line, file.siteId, file.legacy));
    }
    if (part) {
      await readLines(filePath, part.from, part.to, (line, position) => {
        const outcome =
          line === undefined ? { kind: "refused" as const, reason: "not valid UTF-8" } : events.addLine(line, file.siteId, file.legacy);
        if (outcome.kind === "added") eventsRead++;
        else if (outcome.kind === "skipped") skippedLines++;
        else quarantine.line(file.siteId, file.relPath, position, outcome.reason, line, outcome.sessionId);
      });
    }
    for (const key of finishingAt.get(i) ?? []) summarize(key);
    finishingAt.delete(i);
    // Files are read synchronously (logReader.ts): one turn of the event loop lets the socket take
    // the facts written meanwhile, so PostgreSQL is busy while the next file is read.
    await nextTurn();
  }
  // A line whose quick session_id read disagreed with its parsed one ends up here.
  for (const key of events.sessionKeys()) summarize(key);
  return { eventsRead, skippedLines };
}
