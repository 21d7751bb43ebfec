/**
 * Browser collection end to end (SPEC §8, docs/collector.md): the snippet from the keys page on a
 * small single-page app served from another origin than the app (127.0.0.2, one of the site's
 * hostnames), a real Chromium visitor who navigates, clicks and leaves, and the exact numbers on
 * the dashboard after an ETL pass. The same page from 127.0.0.3, not a hostname of the site: the
 * browser sees the request refused, and nothing is stored.
 *
 * E2E_SHOTS_DIR=<dir> also saves the keys page with the snippet card at desktop and phone sizes.
 */
import { readdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { baseUrl, shot, signIn } from "./support/helpers";

// Headless Chromium says "HeadlessChrome", which the collector filters as a bot: the visitor is a normal Chrome.
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/** Time on each page: the visit times the dashboard must show are at least this and well under a minute. */
const DWELL_MS = 2_500;
const STUB =
  "<script>window.pulse=window.pulse||function(){(window.pulse.q=window.pulse.q||[]).push(arguments)};window.pulse.track=window.pulse.track||window.pulse</script>";

/** The three pages of the test's SPA: the same shell; the buttons change the route with pushState. */
function spaPage(app: string, key: string, outbound: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Snippet test shop</title>
${STUB}
<script defer src="${app}/pulse.js" data-key="${key}" data-api="${app}/api/collect" data-allow-localhost></script>
</head><body>
<nav>
  <button type="button" id="nav-pricing" onclick="go('/pricing')">Pricing</button>
  <button type="button" id="nav-docs" onclick="go('/docs')">Docs</button>
</nav>
<h1 id="route"></h1>
<button type="button" data-pulse-button="hero_signup">Sign up</button>
<button type="button" data-pulse-button="buy_pro"><span>Buy Pro</span></button>
<a id="partner" href="${outbound}">A partner site</a>
<script>
  function render() { document.getElementById("route").textContent = location.pathname; }
  function go(p) { history.pushState({}, "", p); render(); }
  // The tracker counts the click in the capture phase; the page keeps the visitor here.
  document.getElementById("partner").addEventListener("click", function (e) { e.preventDefault(); });
  render();
</script>
</body></html>`;
}

interface SpaServers {
  /** http://127.0.0.2:<port>: one of the site's hostnames. */
  allowed: string;
  /** http://127.0.0.3:<port>: not one of them. */
  foreign: string;
  /** http://127.0.0.4:<port>: where the outbound link points (answers, in case it were followed). */
  outbound: string;
  close(): Promise<void>;
}

async function startSpa(app: string, key: () => string): Promise<SpaServers> {
  const servers: Server[] = [];
  const listen = async (host: string, outbound: () => string): Promise<string> => {
    const server = createServer((req, res) => {
      const p = new URL(req.url ?? "/", "http://x").pathname;
      if (req.method === "GET" && ["/", "/pricing", "/docs"].includes(p)) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        res.end(spaPage(app, key(), outbound()));
      } else if (req.method === "GET" && p === "/elsewhere") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end("<!doctype html><title>Partner</title><h1>Partner</h1>");
      } else {
        res.writeHead(404).end();
      }
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  };
  const outbound = await listen("127.0.0.4", () => "");
  const target = `${outbound}/elsewhere`;
  const allowed = await listen("127.0.0.2", () => target);
  const foreign = await listen("127.0.0.3", () => target);
  return {
    allowed,
    foreign,
    outbound,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** Every event of the site the consumer has written to the JSON Lines log so far. */
async function loggedEvents(siteId: string): Promise<{ event_type: string; page_path?: string; button_id?: string }[]> {
  const dir = path.join(process.env.E2E_LOGS_DIR!, "events", siteId);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  const out = [];
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith(".jsonl")) continue;
    const text = await readFile(path.join(e.parentPath, e.name), "utf8");
    for (const line of text.split("\n").filter(Boolean)) out.push(JSON.parse(line) as { event_type: string });
  }
  return out;
}

function countByType(events: { event_type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.event_type] = (counts[e.event_type] ?? 0) + 1;
  return counts;
}

async function cellTexts(table: Locator): Promise<string[][]> {
  const rows = table.locator("tbody tr");
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).locator("td").allInnerTexts()).map((t) => t.trim()));
  return out;
}

async function runEtl(page: Page) {
  await page.getByRole("button", { name: "Run ETL now" }).click();
  await expect(page.getByTestId("etl-run-message")).toContainText("ETL pass finished", { timeout: 60_000 });
}

interface Analytics {
  summary: { sessions: number; users: number; page_views: number; avg_duration_seconds: number };
  page_engagement: { page_path: string; total_visits: number; unique_users: number; avg_time_spent_seconds: number | null }[];
  click_through_rates: { page_path: string; button_id: string; clicks: number; views: number; ctr: number | null }[];
}

async function analytics(page: Page, siteId: string): Promise<Analytics> {
  const res = await page.request.get(`${baseUrl()}/api/analytics?site=${siteId}`);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as Analytics;
}

async function visitorContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 800 } });
}

test("the snippet on a page of the site's hostname: page views, SPA routes, time on page, clicks; another hostname: refused", async ({
  page,
  browser,
  request,
}) => {
  let siteId = "";
  let key = "";
  const spa = await startSpa(baseUrl(), () => key);
  test.info().annotations.push({ type: "spa", description: `${spa.allowed}, ${spa.foreign}` });

  try {
    await test.step("the admin creates snippet.test (hostname 127.0.0.2, UTC); the keys page offers a publishable key", async () => {
      await signIn(page);
      await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
      await page.goto(`${baseUrl()}/sites?new=1`);
      const form = page.getByRole("region", { name: "New site" });
      await form.getByLabel("Name", { exact: true }).fill("snippet.test");
      await form.getByLabel("Hostnames").fill("127.0.0.2");
      await form.getByLabel("Time zone").selectOption("UTC");
      await form.getByRole("button", { name: "Create site" }).click();
      await expect(page).toHaveURL(/\/s\/[0-9a-f-]{36}\/keys\?created=1$/);
      siteId = /\/s\/([0-9a-f-]{36})\//.exec(page.url())![1]!;

      const card = page.getByRole("region", { name: "Add Pulse to your website" });
      await expect(card.getByTestId("snippet-hostnames")).toHaveText(/Works on 127\.0\.0\.2\./);
      await shot(page, "keys-snippet-no-key");
      await card.getByRole("button", { name: "Create a publishable key" }).click();
      const snippet = card.getByTestId("snippet");
      await expect(snippet).toContainText(`<script defer src="${baseUrl()}/pulse.js" data-key="pk_`);
      key = /data-key="(pk_[0-9a-f]{8}_[A-Za-z0-9_-]+)"/.exec((await snippet.textContent()) ?? "")![1]!;
      await expect(snippet).toContainText("window.pulse=window.pulse||function(){");
      await expect(card.getByRole("button", { name: "Copy snippet" })).toBeVisible();
      await expect(card.getByTestId("collect-status")).toHaveText("Waiting for the first event…");
      // The key is listed as publishable, and the snippet is there again after a reload.
      await expect(page.getByRole("table", { name: "API keys" }).getByRole("row", { name: /Website snippet/ })).toContainText(
        "publishable",
      );
      await page.reload();
      await expect(card.getByTestId("snippet")).toContainText(`data-key="${key}"`);
      await shot(page, "keys-snippet-waiting");
    });

    await test.step("/pulse.js is served with a day's caching and a week of stale-while-revalidate", async () => {
      // Without a session: other sites' visitors never sign in to Pulse.
      const res = await request.get(`${baseUrl()}/pulse.js`, { maxRedirects: 0 });
      expect(res.status()).toBe(200);
      expect(res.headers()["content-type"]).toMatch(/javascript/);
      expect(res.headers()["cache-control"]).toBe("public, max-age=86400, stale-while-revalidate=604800");
      expect(res.headers()["access-control-allow-origin"]).toBeUndefined();
    });

    const visitor = await visitorContext(browser);
    const tab = await visitor.newPage();
    const collectStatuses: number[] = [];
    tab.on("response", (r) => {
      if (r.url().startsWith(`${baseUrl()}/api/collect`)) collectStatuses.push(r.status());
    });

    await test.step("a visitor opens page 1; the keys page turns green", async () => {
      await tab.goto(`${spa.allowed}/`);
      await expect(tab.locator("#route")).toHaveText("/");
      // The admin's keys page polls every 5 s while it waits.
      await expect(page.getByTestId("collect-status")).toHaveText(/^Receiving events — last one just now$/, { timeout: 20_000 });
      await shot(page, "keys-snippet-receiving");
    });

    await test.step("two data buttons, two SPA routes, an outbound link, a custom event, then the tab is closed", async () => {
      await tab.waitForTimeout(DWELL_MS);
      await tab.getByRole("button", { name: "Sign up" }).click();
      await tab.getByRole("button", { name: "Pricing" }).click();
      await expect(tab.locator("#route")).toHaveText("/pricing");
      await tab.waitForTimeout(DWELL_MS);
      await tab.getByText("Buy Pro").click(); // inside the data-pulse-button element
      await tab.getByRole("button", { name: "Docs" }).click();
      await expect(tab.locator("#route")).toHaveText("/docs");
      await tab.getByRole("link", { name: "A partner site" }).click();
      await tab.evaluate(() =>
        (window as unknown as { pulse: { track: (t: string, p: object) => void } }).pulse.track("signup", { plan: "pro" }),
      );
      await tab.waitForTimeout(DWELL_MS);
      expect(tab.url(), "the outbound click did not leave the page").toBe(`${spa.allowed}/docs`);
      await tab.close({ runBeforeUnload: true });
    });

    await test.step("the consumer writes exactly the events the visit made, with server-made ids", async () => {
      const expected = { session_created: 1, page_visited: 3, page_closed: 3, button_clicked: 2, outbound_click: 1, signup: 1 };
      await expect.poll(async () => countByType(await loggedEvents(siteId)), { timeout: 30_000 }).toEqual(expected);
      const events = (await loggedEvents(siteId)) as Record<string, unknown>[];
      expect(new Set(events.map((e) => e.user_id)).size).toBe(1);
      expect(new Set(events.map((e) => e.session_id)).size).toBe(1);
      expect(events.filter((e) => e.event_type === "page_visited").map((e) => e.page_path)).toEqual(["/", "/pricing", "/docs"]);
      expect(events.find((e) => e.event_type === "signup")?.props).toEqual({ plan: "pro" });
      expect(events.find((e) => e.event_type === "outbound_click")?.props).toEqual({ url: `${spa.outbound}/elsewhere` });
      expect(collectStatuses.every((s) => s === 202)).toBe(true);
      await visitor.close();
    });

    let before: Analytics | undefined;
    await test.step("after an ETL pass the dashboard shows 1 session, 1 user, 3 page views, the pages' times and the clicks", async () => {
      await page.goto(`${baseUrl()}/s/${siteId}`);
      await expect(page.getByTestId("range-label")).toContainText("(days in UTC)");
      await runEtl(page);
      await expect(page.getByTestId("summary-sessions")).toHaveText("1");
      await expect(page.getByTestId("summary-users")).toHaveText("1");
      await expect(page.getByTestId("summary-page_views")).toHaveText("3");

      const pageTable = page.getByRole("table", { name: "Page engagement" });
      await expect.poll(async () => (await cellTexts(pageTable)).map((r) => r[0]).sort()).toEqual(["/", "/docs", "/pricing"]);
      const pages = await cellTexts(pageTable);
      for (const [, visits, users, avgTime] of pages) {
        expect([visits, users]).toEqual(["1", "1"]);
        const seconds = Number(/^(\d+)s$/.exec(avgTime ?? "")?.[1]);
        expect(seconds, `visit time "${avgTime}"`).toBeGreaterThanOrEqual(DWELL_MS / 1000 - 0.5);
        expect(seconds).toBeLessThan(60);
      }
      const clicks = await cellTexts(page.getByRole("table", { name: "Click analytics" }));
      expect(clicks.sort()).toEqual([
        ["buy_pro\n/pricing", "1", "1", "100%"],
        ["hero_signup\n/", "1", "1", "100%"],
      ]);

      before = await analytics(page, siteId);
      expect(before.summary).toMatchObject({ sessions: 1, users: 1, page_views: 3 });
      expect(before.page_engagement).toHaveLength(3);
      for (const p of before.page_engagement) {
        expect(p).toMatchObject({ total_visits: 1, unique_users: 1 });
        // Each visit ends with the page_closed sent when the next route (or the tab's close) came.
        expect(p.avg_time_spent_seconds, p.page_path).toBeGreaterThanOrEqual(DWELL_MS / 1000);
        expect(p.avg_time_spent_seconds!).toBeLessThan(60);
      }
      expect(before.click_through_rates.map((c) => [c.page_path, c.button_id, c.clicks, c.views, c.ctr]).sort()).toEqual([
        ["/", "hero_signup", 1, 1, 100],
        ["/pricing", "buy_pro", 1, 1, 100],
      ]);
    });

    await test.step("the same page from 127.0.0.3: refused (403 without CORS, so the browser reports it), nothing stored", async () => {
      const context = await visitorContext(browser);
      // As shipped: sendBeacon, a no-cors request, so the page cannot see the answer; the network can.
      const beaconTab = await context.newPage();
      const refused = beaconTab.waitForResponse((r) => r.url().startsWith(`${baseUrl()}/api/collect`));
      await beaconTab.goto(`${spa.foreign}/`);
      expect((await refused).status()).toBe(403);
      await beaconTab.close({ runBeforeUnload: true });

      // Without sendBeacon the tracker uses fetch (mode cors): the browser reports the CORS error.
      const fetchTab = await context.newPage();
      await fetchTab.addInitScript(() => {
        delete (Navigator.prototype as { sendBeacon?: unknown }).sendBeacon;
      });
      const consoleErrors: string[] = [];
      fetchTab.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(m.text());
      });
      const failed = fetchTab.waitForEvent("requestfailed", (r) => r.url().startsWith(`${baseUrl()}/api/collect`));
      await fetchTab.goto(`${spa.foreign}/`);
      expect((await failed).failure()?.errorText).toBeTruthy();
      await expect.poll(() => consoleErrors.join("\n")).toMatch(/blocked by CORS policy/);
      await fetchTab.getByRole("button", { name: "Sign up" }).click();
      await fetchTab.close({ runBeforeUnload: true });
      await context.close();

      // Another pass changes no number, and nothing more reached the log.
      await page.reload();
      await runEtl(page);
      await expect(page.getByTestId("summary-page_views")).toHaveText("3");
      expect(await analytics(page, siteId)).toEqual(before);
      expect((await loggedEvents(siteId)).length).toBe(11);
    });
  } finally {
    await spa.close();
  }
});

test("the keys page: no hostname means nothing is accepted; once one is set, the waiting state turns green", async ({ page, browser }) => {
  let key = "";
  const spa = await startSpa(baseUrl(), () => key);
  try {
    await signIn(page);
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    await page.goto(`${baseUrl()}/sites?new=1`);
    const form = page.getByRole("region", { name: "New site" });
    await form.getByLabel("Name", { exact: true }).fill("green.test");
    await form.getByRole("button", { name: "Create site" }).click();
    await expect(page).toHaveURL(/\/s\/[0-9a-f-]{36}\/keys\?created=1$/);
    const siteId = /\/s\/([0-9a-f-]{36})\//.exec(page.url())![1]!;

    const card = page.getByRole("region", { name: "Add Pulse to your website" });
    await card.getByRole("button", { name: "Create a publishable key" }).click();
    key = /data-key="(pk_[^"]+)"/.exec((await card.getByTestId("snippet").textContent()) ?? "")?.[1] ?? "";
    expect(key).toMatch(/^pk_/);
    const hostnames = card.getByTestId("snippet-hostnames");
    await expect(hostnames).toContainText(
      "No hostnames yet: no page's events are accepted until you add your site's hostname in settings.",
    );
    await shot(page, "keys-snippet-no-hostnames");
    const status = card.getByTestId("collect-status");
    await expect(status).toHaveText("Waiting for the first event…");

    // The snippet on a page of 127.0.0.2 is refused while the site has no hostname. The tab stays
    // open from here on (routes change with pushState), so the test sees every request and answer.
    const visitor = await visitorContext(browser);
    const tab = await visitor.newPage();
    const sent: string[] = [];
    const answers: number[] = [];
    tab.on("request", (r) => {
      if (r.url().startsWith(`${baseUrl()}/api/collect`)) sent.push(r.url());
    });
    tab.on("response", (r) => {
      if (r.url().startsWith(`${baseUrl()}/api/collect`)) answers.push(r.status());
    });
    await tab.goto(`${spa.allowed}/`);
    await expect.poll(() => answers).toEqual([403]);

    await hostnames.getByRole("link", { name: "settings" }).click();
    await expect(page).toHaveURL(`${baseUrl()}/s/${siteId}/settings`);
    await page.getByLabel("Hostnames").fill("127.0.0.2");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
    await expect(hostnames).toHaveText(/^Works on 127\.0\.0\.2\./);
    await expect(status).toHaveText("Waiting for the first event…");

    // /api/collect keeps a site's hostnames up to 10 s: the visitor moves between routes until accepted.
    let route = 0;
    await expect(async () => {
      const before = answers.length;
      // A route change sends two events: page_closed for the route left, page_visited for the new one.
      await tab.getByRole("button", { name: ++route % 2 ? "Pricing" : "Docs" }).click();
      await expect.poll(() => (answers.length === sent.length ? answers.length : -1), { timeout: 5_000 }).toBe(before + 2);
      expect(answers.at(-1)).toBe(202);
    }).toPass({ timeout: 30_000, intervals: [1_000, 2_000] });
    await expect(status).toHaveText("Receiving events — last one just now", { timeout: 20_000 });

    // Leave the stack as found: no more sends, and the accepted events (and the server's
    // session_created) through an ETL pass, so the next spec's pass reads only its own.
    await tab.evaluate(() => Object.defineProperty(navigator, "sendBeacon", { value: () => true }));
    await visitor.close();
    const accepted = answers.filter((a) => a === 202).length;
    await expect.poll(async () => (await loggedEvents(siteId)).length, { timeout: 30_000 }).toBe(accepted + 1);
    await page.goto(`${baseUrl()}/s/${siteId}`);
    await runEtl(page);
    await expect(page.getByTestId("summary-sessions")).toHaveText("1");
  } finally {
    await spa.close();
  }
});
