/**
 * Email reports (docs/reports.md) over facts the real ETL wrote: a weekly report of a fixture site
 * has the right figures, changes, top pages and sources; it is sent once per period to a real SMTP
 * server (smtp-server), only to members, with an unsubscribe link that stops it. The link itself
 * against the real web app (GET /api/reports/unsubscribe shows a button and changes nothing; POST
 * stops the report once; a bad token is a 400 or a 404 that keeps the report).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "@/core/config";
import { loadConfig } from "@/core/config/load";
import { getPrisma } from "@/core/db/client";
import { createSite } from "@/core/db/sites";
import type { StoredEvent } from "@/core/events";
import { reportContent } from "@/core/reports/content";
import { reportPeriods } from "@/core/reports/periods";
import { renderReport } from "@/core/reports/render";
import type { ReportFrequency } from "@/core/reports/periods";
import { reportsOf, sendDueReports, setReport, unsubscribe } from "@/core/reports/subscriptions";
import { startApp, type RunningApp } from "../../support/app";
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
let app: RunningApp;

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
  app = await startApp({ name: "reports", env: { DATABASE_URL: db.url, LOG_LEVEL: "warn" } });
}, 300_000);

afterAll(async () => {
  await app?.stop();
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
    // Only the mails of this test (the unsubscribe tests send their own).
    const sentBefore = smtp.mails.length;
    const mails = () => smtp.mails.slice(sentBefore);
    await setReport(site.id, member.id, "weekly", true);
    await setReport(site.id, outsider.id, "weekly", true);
    expect(await sendDueReports(NOW, config)).toEqual({ sent: 1, failed: 0 });
    expect(mails()).toHaveLength(1);
    expect(mails()[0]).toContain("To: viewer@shop.test");
    expect(mails()[0]).toMatch(/Subject: Weekly report for/);
    expect(mails()[0]).toMatch(/text\/plain/);
    expect(mails()[0]).toMatch(/text\/html/);
    // (A long header may be folded onto the next line.)
    const token = /List-Unsubscribe:\s*<https:\/\/pulse\.test\/api\/reports\/unsubscribe\?token=([A-Za-z0-9_-]+)>/.exec(mails()[0]!)?.[1];
    expect(token).toBeDefined();

    // The same period is not sent again; the next week's is.
    expect(await sendDueReports(NOW + 3_600_000, config)).toEqual({ sent: 0, failed: 0 });
    expect(await sendDueReports(NOW + 7 * 86_400_000, config)).toEqual({ sent: 1, failed: 0 });

    expect(await unsubscribe(token!)).toEqual({ siteName: SITE_NAME, frequency: "weekly" });
    expect(await unsubscribe(token!)).toBeNull();
    expect(await sendDueReports(NOW + 14 * 86_400_000, config)).toEqual({ sent: 0, failed: 0 });
    expect(mails()).toHaveLength(2);
    await setReport(site.id, outsider.id, "weekly", false);
  });
});

const DAY = 86_400_000;
/** The fixture site's name as the pages must show it: escaped, never as markup. */
const SITE_NAME_HTML = "Shop &#60;b&#62;&#38;&#60;/b&#62; Co";
const FORM = "application/x-www-form-urlencoded";

/** The few entities escapeHtml writes (&#NN;), back to characters. */
const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

describe("the unsubscribe link against the web app (/api/reports/unsubscribe)", () => {
  let config: AppConfig;
  const readers: string[] = [];

  beforeAll(() => {
    // The links in the mails point at the running app.
    config = loadConfig({ ...process.env, DATABASE_URL: db.url, SMTP_URL: smtp.url, APP_URL: app.url });
  });

  afterEach(async () => {
    // Each test has its own reader (and report); none is left for the next test to send to.
    await getPrisma().user.deleteMany({ where: { id: { in: readers.splice(0) } } });
  });

  const mailsTo = (email: string) => smtp.mails.filter((m) => m.includes(`To: ${email}`));

  /** How many reports go to `email` when the reports due at `now` are sent. */
  async function reportsSentTo(email: string, now: number): Promise<number> {
    const before = mailsTo(email).length;
    await sendDueReports(now, config);
    return mailsTo(email).length - before;
  }

  /** A new viewer of the site with one report, and the unsubscribe link of the report mailed to them. */
  async function subscribedReader(frequency: ReportFrequency) {
    const email = `reader-${randomUUID().slice(0, 8)}@shop.test`;
    const { id } = await getPrisma().user.create({
      data: { email, sites: { create: { siteId: site.id, role: "viewer" } } },
      select: { id: true },
    });
    readers.push(id);
    await setReport(site.id, id, frequency, true);
    expect(await reportsSentTo(email, NOW)).toBe(1);
    // (A long header may be folded onto the next line.)
    const link = /List-Unsubscribe:\s*<([^>\s]+)>/.exec(mailsTo(email).at(-1)!)?.[1];
    expect(link).toBeDefined();
    const url = new URL(link!);
    expect(url.origin + url.pathname).toBe(`${app.url}/api/reports/unsubscribe`);
    const token = url.searchParams.get("token")!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    return { id, email, link: url, token };
  }

  /** The Unsubscribe form of the page GET shows: where its button posts, resolved as a browser would. */
  async function unsubscribeForm(link: URL): Promise<URL> {
    const res = await fetch(link);
    expect(res.status).toBe(200);
    const html = await res.text();
    const form = /<form method="post" action="([^"]*)"><button type="submit">Unsubscribe<\/button><\/form>/.exec(html);
    expect(form, html).not.toBeNull();
    return new URL(unescapeHtml(form![1]!), link);
  }

  it("GET shows an Unsubscribe button and stops nothing (mail scanners open links)", async () => {
    const reader = await subscribedReader("weekly");
    const res = await fetch(reader.link);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("<h1>Stop this email report?</h1>");
    // The button posts back to the same link.
    expect((await unsubscribeForm(reader.link)).href).toBe(reader.link.href);

    // Opened twice above, and the report is still on: it is there and next week's goes out.
    expect(await reportsOf(site.id, reader.id)).toEqual(["weekly"]);
    expect(await getPrisma().reportSubscription.count({ where: { token: reader.token } })).toBe(1);
    expect(await reportsSentTo(reader.email, NOW + 7 * DAY)).toBe(1);

    // A GET without a usable token shows no button.
    for (const query of ["", "?token=", `?${new URLSearchParams({ token: "<script>alert(1)</script>" })}`]) {
      const bad = await fetch(`${app.url}/api/reports/unsubscribe${query}`);
      expect(bad.status, query).toBe(400);
      const body = await bad.text();
      expect(body).not.toContain("<form");
      expect(body).not.toContain("<script>");
    }
  });

  it("POST with an unknown, garbled, overlong or missing token: 404 or 400, and the report is kept", async () => {
    const reader = await subscribedReader("weekly");
    const post = (query: string) =>
      fetch(`${app.url}/api/reports/unsubscribe${query}`, { method: "POST", headers: { "content-type": FORM }, body: "" });
    const q = (token: string) => `?${new URLSearchParams({ token })}`;

    // Well-formed but not ours (a random token, a prefix of the real one): 404.
    for (const token of [randomBytes(24).toString("base64url"), reader.token.slice(0, 20)]) {
      const res = await post(q(token));
      expect(res.status, token).toBe(404);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await res.text()).toContain("This report was already stopped, or the link is not one of ours.");
    }

    // Not a token at all: 400, and nothing of it comes back in the page.
    const overlong = reader.token + "A".repeat(65 - reader.token.length);
    expect(overlong).toHaveLength(65);
    for (const query of [
      q(`../${reader.token}`),
      q("../../etc/passwd"),
      `?token=..%2F..%2F${reader.token}`,
      q(`${reader.token}<script>alert(1)</script>`),
      q(`${reader.token}'"`),
      q(overlong),
      q(reader.token.repeat(3)),
      q(reader.token.slice(0, 15)),
      "",
      "?token=",
      `?other=${reader.token}`,
    ]) {
      const res = await post(query);
      expect(res.status, query).toBe(400);
      const body = await res.text();
      expect(body, query).toContain("This unsubscribe link is not complete.");
      expect(body, query).not.toContain("<script>");
    }

    // The report is still on, with the same link, and next week's goes out.
    expect(await reportsOf(site.id, reader.id)).toEqual(["weekly"]);
    expect(await getPrisma().reportSubscription.count({ where: { token: reader.token } })).toBe(1);
    expect(await reportsSentTo(reader.email, NOW + 7 * DAY)).toBe(1);
  });

  it("the button (POST with the right token) stops the report and names it; a second POST says it was already stopped", async () => {
    const reader = await subscribedReader("monthly");
    const action = await unsubscribeForm(reader.link);
    const res = await fetch(action, { method: "POST", headers: { "content-type": FORM }, body: "" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain("<h1>Unsubscribed</h1>");
    expect(html).toContain(`You will no longer get the monthly report of ${SITE_NAME_HTML}.`);

    // Gone: no subscription, and next month's report does not go out.
    expect(await reportsOf(site.id, reader.id)).toEqual([]);
    expect(await getPrisma().reportSubscription.count({ where: { token: reader.token } })).toBe(0);
    expect(await reportsSentTo(reader.email, NOW + 31 * DAY)).toBe(0);

    const again = await fetch(action, { method: "POST", headers: { "content-type": FORM }, body: "" });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain("This report was already stopped");
  });

  it("a mail client's one-click unsubscribe (RFC 8058) works too, and the page escapes the site's name", async () => {
    const reader = await subscribedReader("weekly");
    const res = await fetch(reader.link, { method: "POST", headers: { "content-type": FORM }, body: "List-Unsubscribe=One-Click" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`You will no longer get the weekly report of ${SITE_NAME_HTML}.`);
    expect(html).not.toContain(SITE_NAME);
    expect(html).not.toContain("<b>");
    expect(await reportsOf(site.id, reader.id)).toEqual([]);
    expect(await reportsSentTo(reader.email, NOW + 7 * DAY)).toBe(0);
  });
});
