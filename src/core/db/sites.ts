import { randomBytes } from "node:crypto";
import { siteInputSchema, siteUpdateSchema, type SiteInput, type SiteUpdate } from "../sites/input";
import { accessOf, type SiteAccess } from "../sites/access";
import { factChangesSql } from "../store/versions";
import { getPrisma, type PrismaClient } from "./client";

/** Sites and who may see them (docs/sites.md). The tRPC routers, route handlers and CLIs use these. */

export interface SiteRecord {
  id: string;
  name: string;
  hostnames: string[];
  timeZone: string;
  /** The shared dashboard's token, or null while sharing is off. Only for users who may edit the site. */
  shareToken: string | null;
  /** The site's dates are being recomputed (its time zone changed); cleared by the ETL pass that does it. */
  recomputing: boolean;
  createdAt: Date;
}

export interface SiteWithAccess extends SiteRecord {
  access: SiteAccess;
}

export interface AccessUser {
  id: string;
  role: "admin" | "member";
}

const select = {
  id: true,
  name: true,
  hostnames: true,
  timeZone: true,
  shareToken: true,
  recomputeRequestedAt: true,
  createdAt: true,
} as const;

type Row = {
  id: string;
  name: string;
  hostnames: string[];
  timeZone: string;
  shareToken: string | null;
  recomputeRequestedAt: Date | null;
  createdAt: Date;
};

function toRecord(row: Row): SiteRecord {
  const { recomputeRequestedAt, ...rest } = row;
  return { ...rest, recomputing: recomputeRequestedAt !== null };
}

/** The sites a user may see, oldest first, with their access to each. */
export async function listSitesFor(user: AccessUser, prisma: PrismaClient = getPrisma()): Promise<SiteWithAccess[]> {
  if (user.role === "admin") {
    const rows = await prisma.site.findMany({ select, orderBy: { createdAt: "asc" } });
    return rows.map((r) => ({ ...toRecord(r), access: "admin" as const }));
  }
  const rows = await prisma.siteMember.findMany({
    where: { userId: user.id },
    select: { role: true, site: { select } },
    orderBy: { site: { createdAt: "asc" } },
  });
  return rows.map((r) => ({ ...toRecord(r.site), access: r.role }));
}

/** The site and the user's access to it, or null when the user may not see it (or it does not exist). */
export async function siteForUser(user: AccessUser, siteId: string, prisma: PrismaClient = getPrisma()): Promise<SiteWithAccess | null> {
  const site = await prisma.site.findUnique({
    where: { id: siteId },
    select: { ...select, members: { where: { userId: user.id }, select: { role: true } } },
  });
  if (!site) return null;
  const access = accessOf(user, site.members[0]?.role ?? null);
  if (!access) return null;
  const { members: _, ...row } = site;
  return { ...toRecord(row), access };
}

export async function getSite(siteId: string, prisma: PrismaClient = getPrisma()): Promise<SiteRecord | null> {
  const row = await prisma.site.findUnique({ where: { id: siteId }, select });
  return row ? toRecord(row) : null;
}

export async function createSite(input: SiteInput, prisma: PrismaClient = getPrisma()): Promise<SiteRecord> {
  const data = siteInputSchema.parse(input);
  return toRecord(await prisma.site.create({ data, select }));
}

/**
 * Changes a site's settings. A new time zone moves the site's dates: the site is marked for a
 * recompute, which the next ETL pass does in one transaction (the caller should start one).
 */
export async function updateSite(
  siteId: string,
  update: SiteUpdate,
  prisma: PrismaClient = getPrisma(),
): Promise<{ site: SiteRecord; recompute: boolean }> {
  const data = siteUpdateSchema.parse(update);
  const current = await prisma.site.findUniqueOrThrow({ where: { id: siteId }, select: { timeZone: true } });
  const recompute = data.timeZone !== undefined && data.timeZone !== current.timeZone;
  const row = await prisma.site.update({
    where: { id: siteId },
    data: { ...data, ...(recompute ? { recomputeRequestedAt: new Date() } : {}) },
    select,
  });
  return { site: toRecord(row), recompute };
}

/** Turns the shared read-only dashboard on (a new unguessable token each time) or off (the old URL is gone). */
export async function setSharing(siteId: string, on: boolean, prisma: PrismaClient = getPrisma()): Promise<SiteRecord> {
  const shareToken = on ? randomBytes(24).toString("base64url") : null;
  return toRecord(await prisma.site.update({ where: { id: siteId }, data: { shareToken }, select }));
}

/** The site whose shared dashboard has this token, or null (sharing off, or no such token). */
export async function siteBySharedToken(token: string, prisma: PrismaClient = getPrisma()): Promise<SiteRecord | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return null;
  const row = await prisma.site.findUnique({ where: { shareToken: token }, select });
  return row ? toRecord(row) : null;
}

export interface DeletionPreview {
  sessions: number;
  days: number;
  keys: number;
  members: number;
}

/** What deleting the site removes, for the confirmation the user reads first. */
export async function deletionPreview(siteId: string, prisma: PrismaClient = getPrisma()): Promise<DeletionPreview> {
  const [sessions, days, keys, members] = await Promise.all([
    prisma.sessionFact.count({ where: { siteId } }),
    prisma.sessionMetric.count({ where: { siteId } }),
    prisma.apiKey.count({ where: { siteId } }),
    prisma.siteMember.count({ where: { siteId } }),
  ]);
  return { sessions, days, keys, members };
}

const SITE_TABLES = [
  "session_facts",
  "page_visit_facts",
  "click_facts",
  "event_facts",
  "session_metrics",
  "page_engagement",
  "click_through_rates",
  "etl_quarantine",
];

/**
 * Deletes the site and every row of it (facts, aggregates, what the ETL set aside, keys, members,
 * cursors of its log files) in one transaction. The raw log files stay on disk (they are the
 * user's); the ETL skips files of sites that no longer exist.
 */
export async function deleteSite(siteId: string, prisma: PrismaClient = getPrisma()): Promise<DeletionPreview> {
  const preview = await deletionPreview(siteId, prisma);
  const changes = factChangesSql({ pairs: [], sites: [siteId] })!;
  await prisma.$transaction([
    ...SITE_TABLES.map((table) => prisma.$executeRawUnsafe(`DELETE FROM ${table} WHERE site_id = $1::uuid`, siteId)),
    prisma.$executeRaw`DELETE FROM etl_file_cursors WHERE path LIKE ${`events/${siteId}/%`}`,
    prisma.site.delete({ where: { id: siteId } }),
    // Dashboards drop the site's copy of the facts (src/core/store/versions.ts).
    prisma.$executeRawUnsafe(changes.text, ...changes.values),
  ]);
  return preview;
}
