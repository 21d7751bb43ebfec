/**
 * Email reports (docs/reports.md) over facts the real ETL wrote: a weekly report of a fixture site
 * has the right figures, changes, top pages and sources; it is sent once per period to a real SMTP
 * server (smtp-server), only to members, with an unsubscribe link that stops it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/core/config/load";
import { getPrisma } from "@/core/db/client";
import { createSite } from "@/core/db/sites";
import type { StoredEvent } from "@/core/events";
import { reportContent } from "@/core/reports/content";
import { reportPeriods } from "@/core/reports/periods";
import { renderReport } from "@/core/reports/render";
import { sendDueReports, setReport, unsubscribe } from "@/core/reports/subscriptions";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { runPass, storedEvent, writeLogEvents } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";
import { startTestSmtpServer, type TestSmtpServer } from "../../support/smtp";

/** A Wednesday: the last complete week is Monday 26 October to Sunday 1 November 2026. */
const NOW = Date.parse("2026-11-04T10:00:00Z");
const SITE_NAME = "Shop <b>&</b> Co";

let db: TestDatabase;
let logsDir: string;
let smtp: TestSmtpServer;
let site: { id: string; name: string };
let member: { id: string; email: string };
let outsider: { id: string; email: string };

/** One session on a day: a start, its pages, an end; the first event carries the channel. */
function session(id: string, at: string, pages: string[], channel?: string): StoredEvent[] {
  const t = (s: number) => new Date(Date.parse(at) + s * 1000).toISOString();
  const base = { site_id: site.id, user_id: `u-${id}`, session_id: id };
  return [
    storedEvent(t(0), { ...base, event_type: "session_created", ...(channel ? { dims: { channel } } : {}) }),
    ...pages.map((page_path, i) => storedEvent(t(10 + i * 10), { ...base, event_type: "page_visited", page_path })),
    storedEvent(t(60), { ...base, event_type: "session_ended" }),
  ];
}

beforeAll(async () => {
  db = await createTestDatabase("reports");
  process.env.DATABASE_URL = db.url; // before the first getConfig(), so everything goes there
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-reports-"));
  smtp = await startTestSmtpServer();

  site = await createSite({ name: SITE_NAME, timeZone: "Europe/Paris" });
  const prisma = getPrisma();
  member = await prisma.user.create({ data: { email: "viewer@shop.test" }, select: { id: true, email: true } });
  outsider = await prisma.user.create({ data: { email: "former@shop.test" }, select: { id: true, email: true } });
  await prisma.siteMember.create({ data: { siteId: site.id, userId: member.id, role: "viewer" } });

  await writeLogEvents(logsDir, [
    // The week before: 4 one-page sessions, no source.
    ...[0, 1, 2, 3].flatMap((i) => session(`prev-${i}`, `2026-10-2${i}T09:00:00Z`, ["/"])),
    // The report's week: 6 sessions, 3 from search.
    ...[0, 1, 2, 3, 4, 5].flatMap((i) =>
      session(`week-${i}`, `2026-10-2${6 + (i % 3)}T09:0${i}:00Z`, i < 4 ? ["/", "/pricing"] : ["/"], i % 2 ? "Organic Search" : undefined),
    ),
  ]);
  await runPass(db.url, logsDir);
});

afterAll(async () => {
  await closeCoreConnections();
  await smtp?.close();
  await db?.drop();
  if (logsDir) await rm(logsDir, { recursive: true, force: true });
});

describe("email reports", () => {
  it("a weekly report has the period's figures, their change, the top pages and sources", async () => {
    const { current, previous } = reportPeriods("weekly", "Europe/Paris", NOW);
    expect(current).toEqual({ from: "2026-10-26", to: "2026-11-01" });
    expect(previous).toEqual({ from: "2026-10-19", to: "2026-10-25" });
    const content = await reportContent(site, current, previous);
    expect(content.summary).toMatchObject({ sessions: 6, users: 6, page_views: 10 });
    expect(content.previousSummary).toMatchObject({ sessions: 4, users: 4, page_views: 4 });
    expect(content.changes).toMatchObject({ sessions: 50, users: 50, page_views: 150 });
    expect(content.topPages).toEqual([
      { page: "/", visits: 6 },
      { page: "/pricing", visits: 4 },
    ]);
    expect(content.topSources).toEqual([
      { channel: "Direct", sessions: 3 },
      { channel: "Organic Search", sessions: 3 },
    ]);

    const mail = renderReport(content, "weekly", { dashboard: "https://pulse.test/s/x", unsubscribe: "https://pulse.test/u?token=t" });
    expect(mail.subject).toBe(`Weekly report for ${SITE_NAME}: 2026-10-26 to 2026-11-01`);
    expect(mail.text).toContain("Sessions: 6 (+50% on 2026-10-19 to 2026-10-25)");
    expect(mail.text).toContain("  /pricing: 4 visits");
    expect(mail.html).toContain("Shop &#60;b&#62;&#38;&#60;/b&#62; Co");
    expect(mail.html).not.toContain("<b>&</b>");

    // A month with nothing before it: the changes say "new".
    const monthly = reportPeriods("monthly", "Europe/Paris", NOW);
    expect(monthly.current).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    const october = await reportContent(site, monthly.current, monthly.previous);
    expect(october.summary.sessions).toBe(10);
    expect(renderReport(october, "monthly", { dashboard: "d", unsubscribe: "u" }).text).toContain(
      "Sessions: 10 (new on 2026-09-01 to 2026-09-30)",
    );
  });

  it("goes out once per period, to members only, and its link stops it", async () => {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: db.url,
      SMTP_URL: smtp.url,
      APP_URL: "https://pulse.test",
    });
    await setReport(site.id, member.id, "weekly", true);
    await setReport(site.id, outsider.id, "weekly", true);
    expect(await sendDueReports(NOW, config)).toEqual({ sent: 1, failed: 0 });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toContain("To: viewer@shop.test");
    expect(smtp.mails[0]).toMatch(/Subject: Weekly report for/);
    expect(smtp.mails[0]).toMatch(/text\/plain/);
    expect(smtp.mails[0]).toMatch(/text\/html/);
    // (A long header may be folded onto the next line.)
    const token = /List-Unsubscribe:\s*<https:\/\/pulse\.test\/api\/reports\/unsubscribe\?token=([A-Za-z0-9_-]+)>/.exec(
      smtp.mails[0]!,
    )?.[1];
    expect(token).toBeDefined();

    // The same period is not sent again; the next week's is.
    expect(await sendDueReports(NOW + 3_600_000, config)).toEqual({ sent: 0, failed: 0 });
    expect(await sendDueReports(NOW + 7 * 86_400_000, config)).toEqual({ sent: 1, failed: 0 });

    expect(await unsubscribe(token!)).toEqual({ siteName: SITE_NAME, frequency: "weekly" });
    expect(await unsubscribe(token!)).toBeNull();
    expect(await sendDueReports(NOW + 14 * 86_400_000, config)).toEqual({ sent: 0, failed: 0 });
    expect(smtp.mails).toHaveLength(2);
  });
});
