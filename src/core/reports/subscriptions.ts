import { randomBytes } from "node:crypto";
import { getConfig, type AppConfig } from "../config";
import { getPrisma } from "../db/client";
import { logger } from "../logging/logger";
import { sendMail } from "../mail";
import { reportContent } from "./content";
import { periodKey, reportPeriods, type ReportFrequency } from "./periods";
import { renderReport } from "./render";

/** Which reports a member gets for a site. */
export async function reportsOf(siteId: string, userId: string): Promise<ReportFrequency[]> {
  const rows = await getPrisma().reportSubscription.findMany({ where: { siteId, userId }, select: { frequency: true } });
  return rows.map((r) => r.frequency as ReportFrequency);
}

/** Turns one report of a site on or off for a member. */
export async function setReport(siteId: string, userId: string, frequency: ReportFrequency, on: boolean): Promise<void> {
  const prisma = getPrisma();
  if (!on) {
    await prisma.reportSubscription.deleteMany({ where: { siteId, userId, frequency } });
    return;
  }
  await prisma.reportSubscription.upsert({
    where: { siteId_userId_frequency: { siteId, userId, frequency } },
    create: { siteId, userId, frequency, token: randomBytes(24).toString("base64url") },
    update: {},
  });
}

/** The unsubscribe link's action: the report it names stops; false for an unknown (or used) token. */
export async function unsubscribe(token: string): Promise<{ siteName: string; frequency: string } | null> {
  const prisma = getPrisma();
  const sub = await prisma.reportSubscription.findUnique({ where: { token }, include: { site: { select: { name: true } } } });
  if (!sub) return null;
  await prisma.reportSubscription.delete({ where: { id: sub.id } });
  return { siteName: sub.site.name, frequency: sub.frequency };
}

/**
 * Sends every report whose last complete period has not gone out yet (docs/reports.md). Run every
 * hour by the ETL worker; a report is marked sent only after the SMTP server took it, so one that
 * failed goes at the next run. Members who lost access to the site get nothing.
 */
export async function sendDueReports(now = Date.now(), config: AppConfig = getConfig()): Promise<{ sent: number; failed: number }> {
  if (!config.mail.smtp_url) return { sent: 0, failed: 0 };
  const prisma = getPrisma();
  const subs = await prisma.reportSubscription.findMany({
    include: { site: { select: { id: true, name: true, timeZone: true } }, user: { select: { email: true, role: true, sites: true } } },
  });
  let sent = 0;
  let failed = 0;
  const base = config.app.base_url.replace(/\/$/, "");
  for (const sub of subs) {
    const frequency = sub.frequency as ReportFrequency;
    const { current, previous } = reportPeriods(frequency, sub.site.timeZone, now);
    const key = periodKey(current);
    if (sub.lastSentPeriod === key) continue;
    const member = sub.user.role === "admin" || sub.user.sites.some((m) => m.siteId === sub.siteId);
    if (!member) continue;
    try {
      const content = await reportContent(sub.site, current, previous);
      const links = {
        dashboard: `${base}/s/${sub.site.id}?from=${current.from}&to=${current.to}`,
        unsubscribe: `${base}/api/reports/unsubscribe?token=${sub.token}`,
      };
      const mail = renderReport(content, frequency, links);
      await sendMail(config, {
        to: [sub.user.email],
        ...mail,
        headers: { "List-Unsubscribe": `<${links.unsubscribe}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      });
      await prisma.reportSubscription.update({ where: { id: sub.id }, data: { lastSentPeriod: key } });
      sent++;
    } catch (err) {
      failed++;
      logger.warn({ err, site: sub.siteId, frequency }, "email report not sent; trying again at the next run");
    }
  }
  return { sent, failed };
}
