import { getPrisma, type PrismaClient } from "./client";

/**
 * What the ETL set aside (docs/etl.md, "Quarantine"), for the dashboard's ETL card, health
 * details and `npm run etl`. Records are written by workers/etl/quarantine.ts.
 */

export interface QuarantineEntry {
  id: number;
  runId: number;
  siteId: string | null;
  kind: "line" | "session" | "file";
  /** Log file relative to logs.dir. */
  file: string;
  byteOffset: number;
  lineBytes: number;
  /** The session id as a JSON string literal, when known. */
  sessionKey: string | null;
  reason: string;
  excerpt: string;
  createdAt: Date;
}

export interface QuarantineSummary {
  total: number;
  lines: number;
  sessions: number;
  files: number;
  /** The latest records, newest first. */
  recent: QuarantineEntry[];
}

function toEntry(row: {
  id: number;
  runId: number;
  siteId: string | null;
  kind: QuarantineEntry["kind"];
  file: string;
  byteOffset: bigint;
  lineBytes: number;
  sessionKey: string | null;
  reason: string;
  excerpt: string;
  createdAt: Date;
}): QuarantineEntry {
  return { ...row, byteOffset: Number(row.byteOffset) };
}

/** What was set aside, of one site (its lines, sessions and files) or of every site when siteId is omitted. */
export async function getQuarantineSummary(
  options: { recent?: number; siteId?: string; siteIds?: readonly string[] } = {},
  prisma: PrismaClient = getPrisma(),
): Promise<QuarantineSummary> {
  // One site (the dashboard), some (what a member may see), or all of them (an admin).
  const where =
    options.siteId !== undefined
      ? { siteId: options.siteId }
      : options.siteIds !== undefined
        ? { siteId: { in: [...options.siteIds] } }
        : {};
  const [groups, rows] = await Promise.all([
    prisma.etlQuarantine.groupBy({ by: ["kind"], where, _count: { _all: true } }),
    prisma.etlQuarantine.findMany({ where, orderBy: { id: "desc" }, take: options.recent ?? 20 }),
  ]);
  const count = (kind: QuarantineEntry["kind"]) => groups.find((g) => g.kind === kind)?._count._all ?? 0;
  const summary = { lines: count("line"), sessions: count("session"), files: count("file") };
  return { total: summary.lines + summary.sessions + summary.files, ...summary, recent: rows.map(toEntry) };
}

export async function getQuarantineOfRun(runId: number, prisma: PrismaClient = getPrisma()): Promise<QuarantineEntry[]> {
  const rows = await prisma.etlQuarantine.findMany({ where: { runId }, orderBy: { id: "asc" } });
  return rows.map(toEntry);
}

/** "events/2026-11-28/14.jsonl at byte 1234: reason" — one line for logs and the CLI. */
export function describeQuarantineEntry(entry: Pick<QuarantineEntry, "kind" | "file" | "byteOffset" | "sessionKey" | "reason">): string {
  if (entry.kind === "file") return `${entry.file}: ${entry.reason}`;
  if (entry.kind === "session") return `session ${entry.sessionKey ?? "?"}: ${entry.reason}`;
  return `${entry.file} at byte ${entry.byteOffset}: ${entry.reason}`;
}
