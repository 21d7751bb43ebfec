/**
 * Dimensions on the dashboard (SPEC §9, docs/dimensions.md "Dashboard"): sessions sent through
 * POST /api/events with a `context` (address, user agent, page URL with UTM tags, referrer,
 * language) that make them differ in channel and device; after an ETL pass, clicking a source
 * and then a device in the breakdown panels narrows every card to that segment. The numbers are
 * computed here from what was sent, never read back from the app. The filters live in the URL:
 * a reload keeps them, the shared link takes them, removing one chip brings back the other's numbers.
 *
 * E2E_SHOTS_DIR=<dir> also saves the filtered dashboard at 1280×900 and 390×844, with the
 * browser preferring a light and a dark scheme.
 */
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { baseUrl, createSiteWithKey, expectNoHorizontalScroll, postEvents, signIn, waitForLogged } from "./support/helpers";

const UA = {
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  android: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  windows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  ipad: "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  linux: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
};

/** A campaign name with markup: the Campaigns tab must show it as text. */
const XSS_CAMPAIGN = `<img src=x onerror="window.__pulseXss=1;alert('xss-campaign')">`;
const SITE = "https://dims.example";

/**
 * The sessions, with the channel and device docs/enrichment.md's rules give their context (the
 * test's own reading of those rules: Paid by utm_medium=cpc, Email by utm_medium=email, Social by
 * t.co, Organic Search by a search engine's referrer; devices from the user agents above).
 * `custom`: the custom events each session sends.
 */
const SESSIONS = [
  {
    user: "u1",
    channel: "Organic Search",
    device: "mobile",
    pages: 2,
    custom: ["signup"],
    seconds: 40,
    ua: UA.iphone,
    ip: "81.169.145.1",
    language: "de-DE",
    referrer: "https://www.google.com/",
    url: "/",
  },
  {
    user: "u2",
    channel: "Organic Search",
    device: "desktop",
    pages: 1,
    custom: [],
    seconds: 20,
    ua: UA.windows,
    ip: "8.8.8.8",
    language: "en-US",
    referrer: "https://www.bing.com/search?q=pulse",
    url: "/",
  },
  {
    user: "u3",
    channel: "Organic Search",
    device: "mobile",
    pages: 3,
    custom: ["download"],
    seconds: 50,
    ua: UA.android,
    ip: "193.0.6.139",
    language: "nl",
    referrer: "https://duckduckgo.com/",
    url: "/docs",
  },
  {
    user: "u1",
    channel: "Paid",
    device: "mobile",
    pages: 1,
    custom: [],
    seconds: 40,
    ua: UA.iphone,
    ip: "81.169.145.1",
    language: "de",
    referrer: "https://www.google.com/",
    url: "/?utm_source=google&utm_medium=cpc&utm_campaign=spring",
  },
  {
    user: "u4",
    channel: "Direct",
    device: "desktop",
    pages: 2,
    custom: ["signup", "download"],
    seconds: 30,
    ua: UA.mac,
    ip: "8.8.8.8",
    language: "en",
    referrer: undefined,
    url: "/pricing",
  },
  {
    user: "u5",
    channel: "Social",
    device: "tablet",
    pages: 1,
    custom: [],
    seconds: 10,
    ua: UA.ipad,
    ip: "133.242.0.1",
    language: "ja",
    referrer: "https://t.co/abc",
    url: "/",
  },
  {
    user: "u6",
    channel: "Email",
    device: "desktop",
    pages: 2,
    custom: [],
    seconds: 40,
    ua: UA.linux,
    ip: "200.160.2.3",
    language: "pt-BR",
    referrer: undefined,
    url: `/?utm_source=newsletter&utm_medium=email&utm_campaign=${encodeURIComponent(XSS_CAMPAIGN)}`,
  },
  {
    user: "u3",
    channel: "Organic Search",
    device: "mobile",
    pages: 1,
    custom: [],
    seconds: 30,
    ua: UA.android,
    ip: "193.0.6.139",
    language: "nl",
    referrer: "https://www.google.com/",
    url: "/",
  },
] as const;
type Session = (typeof SESSIONS)[number];

const PATHS = ["/", "/pricing", "/docs"];

function buildEvents(now = Date.now()) {
  const run = randomUUID().slice(0, 8);
  const recent = now - 3 * 3600_000;
  return SESSIONS.flatMap((s, i) => {
    const start = recent + i * 600_000;
    const context = {
      ip: s.ip,
      user_agent: s.ua,
      url: `${SITE}${s.url}`,
      language: s.language,
      ...(s.referrer ? { referrer: s.referrer } : {}),
    };
    const event = (seconds: number, event_type: string, page_path?: string) => ({
      event_type,
      user_id: `${s.user}-${run}`,
      session_id: `dims-s${i + 1}-${run}`,
      event_id: randomUUID(),
      event_time: new Date(start + seconds * 1000).toISOString(),
      ...(page_path ? { page_path } : {}),
      context,
    });
    const pageViews = Array.from({ length: s.pages }, (_, p) => event(p * 5, "page_visited", PATHS[p % PATHS.length]));
    // Custom events (their types are the Events panel's rows) between the page views and the end.
    const custom = s.custom.map((type) => event(3, type));
    return [event(0, "session_created"), ...pageViews, ...custom, event(s.seconds, "session_ended")];
  });
}

/** docs/metrics.md's summary over the sessions a filter keeps, as the cards write it. */
function expectedSummary(keep: (s: Session) => boolean) {
  const kept = SESSIONS.filter(keep);
  const avg = Math.round((kept.reduce((n, s) => n + s.seconds, 0) / kept.length) * 100) / 100;
  // Every average here is under a minute: the card writes it as whole seconds.
  expect(avg).toBeLessThan(60);
  return {
    sessions: String(kept.length),
    users: String(new Set(kept.map((s) => s.user)).size),
    avgDuration: `${Math.round(avg)}s`,
    avgDurationExact: String(avg),
    pageViews: String(kept.reduce((n, s) => n + s.pages, 0)),
  };
}

const organic = (s: Session) => s.channel === "Organic Search";
const mobile = (s: Session) => s.device === "mobile";

async function expectSummary(page: Page, expected: ReturnType<typeof expectedSummary>) {
  await expect(page.getByTestId("summary-sessions")).toHaveText(expected.sessions);
  await expect(page.getByTestId("summary-users")).toHaveText(expected.users);
  await expect(page.getByTestId("summary-avg_duration_seconds")).toHaveText(expected.avgDuration);
  await expect(page.getByTestId("summary-avg_duration_seconds")).toHaveAttribute("title", `${expected.avgDurationExact} seconds`);
  await expect(page.getByTestId("summary-page_views")).toHaveText(expected.pageViews);
}

/** The `filters` query parameter of the page's URL, parsed. */
function urlFilters(page: Page): unknown {
  const raw = new URL(page.url()).searchParams.get("filters");
  return raw === null ? null : JSON.parse(raw);
}

async function chips(page: Page): Promise<string[]> {
  const list = page.getByRole("list", { name: "Filters" });
  if ((await list.count()) === 0) return [];
  return (await list.getByRole("listitem").allInnerTexts()).map((t) => t.replace("×", "").trim());
}

/** A panel's rows as [value, users, sessions-or-events], read from the buttons. */
async function panelRows(page: Page, panel: string): Promise<string[][]> {
  const items = page.getByRole("region", { name: panel }).getByRole("listitem");
  const out: string[][] = [];
  for (let i = 0; i < (await items.count()); i++) {
    const spans = items.nth(i).locator("button > span:not([aria-hidden])");
    out.push(
      (await spans.allInnerTexts()).map((t) =>
        t
          .replace(/\s*(users|sessions|events)$/, "")
          .replace(/^\p{Regional_Indicator}{2}\s*/u, "")
          .trim(),
      ),
    );
  }
  return out;
}

/** With E2E_SHOTS_DIR set: the page at 1280×900 and 390×844, full height, with a light and a dark preference. */
async function shot(page: Page, name: string) {
  const dir = process.env.E2E_SHOTS_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [label, width, height] of [
      ["desktop", 1280, 900],
      ["phone", 390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      // From the top: a full-page shot taken further down draws the sticky header mid-page.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${dir}/${name}-${label}-${scheme}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: null });
  await page.setViewportSize(size);
}

test("click a source, then a device: every card shows that segment; the filters are chips and live in the URL", async ({
  page,
  browser,
  request,
}) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  let siteId = "";
  let secret = "";

  await test.step("the admin creates dims.example and a secret key for it", async () => {
    await signIn(page);
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    ({ siteId, secret } = await createSiteWithKey(page, "dims.example"));
  });

  const events = buildEvents();
  await test.step("sessions with a context go through /api/events; an ETL pass loads them", async () => {
    const res = await postEvents(request, secret, events);
    expect(res.status(), await res.text()).toBe(202);
    expect((await res.json()).accepted).toBe(events.length);
    await waitForLogged(events.map((e) => e.event_id));
    await page.goto(`${baseUrl()}/s/${siteId}`);
    await page.getByRole("button", { name: "Run ETL now" }).click();
    await expect(page.getByTestId("etl-run-message")).toContainText("ETL pass finished", { timeout: 60_000 });
    await expectSummary(
      page,
      expectedSummary(() => true),
    );
  });

  await test.step("the panels break the sessions down by the registry's dimensions", async () => {
    const sources = page.getByRole("region", { name: "Sources" });
    await expect(sources.getByRole("tab", { name: "Channels" })).toHaveAttribute("aria-selected", "true");
    // Per channel: [channel, users, sessions], sorted by sessions, then by value.
    const byChannel = new Map<string, Session[]>();
    for (const s of SESSIONS) byChannel.set(s.channel, [...(byChannel.get(s.channel) ?? []), s]);
    const expected = [...byChannel]
      .map(([c, list]) => [c, String(new Set(list.map((s) => s.user)).size), String(list.length)])
      .sort((a, b) => Number(b[2]) - Number(a[2]) || a[0]!.localeCompare(b[0]!));
    await expect.poll(() => panelRows(page, "Sources")).toEqual(expected);

    // Countries by name (Intl.DisplayNames), with the DB-IP attribution the licence asks for.
    const locations = page.getByRole("region", { name: "Locations" });
    await expect(locations.getByRole("button", { name: /^Germany\b/ })).toBeVisible();
    await expect(locations.getByRole("link", { name: "IP Geolocation by DB-IP" })).toHaveAttribute("href", "https://db-ip.com");

    // Custom events: [type, users, events], sorted by sessions, then by type.
    const sent = SESSIONS.flatMap((x) => (x.custom as readonly string[]).map((type) => ({ type, user: x.user, session: x })));
    const expectedEvents = [...new Set(sent.map((e) => e.type))]
      .map((type) => {
        const of = sent.filter((e) => e.type === type);
        return { type, sessions: new Set(of.map((e) => e.session)).size, users: new Set(of.map((e) => e.user)).size, events: of.length };
      })
      .sort((x, y) => y.sessions - x.sessions || x.type.localeCompare(y.type))
      .map((r) => [r.type, String(r.users), String(r.events)]);
    await expect.poll(() => panelRows(page, "Events")).toEqual(expectedEvents);

    // A campaign holding markup is text.
    await sources.getByRole("tab", { name: "Campaigns" }).click();
    await expect(sources.getByText(XSS_CAMPAIGN, { exact: true })).toBeVisible();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await sources.getByRole("tab", { name: "Channels" }).click();
  });

  const both = expectedSummary((s) => organic(s) && mobile(s));
  await test.step('click "Organic Search": the cards show that channel only; the filter is a chip and in the URL', async () => {
    await page
      .getByRole("region", { name: "Sources" })
      .getByRole("button", { name: /^Organic Search\b/ })
      .click();
    await expect.poll(() => urlFilters(page)).toEqual([["channel", "is", "Organic Search"]]);
    await expect.poll(() => chips(page)).toEqual(["Channel is Organic Search"]);
    await expectSummary(page, expectedSummary(organic));
    // The other panels are narrowed too: no tablet came from a search engine.
    await expect.poll(async () => (await panelRows(page, "Devices")).map((r) => r[0])).toEqual(["mobile", "desktop"]);
  });

  await test.step('then "mobile": both filters apply (AND); the range parameter stays beside them', async () => {
    await page.getByRole("button", { name: "Last 30 days" }).click();
    await expect(page).toHaveURL(/[?&]period=30d/);
    await page
      .getByRole("region", { name: "Devices" })
      .getByRole("button", { name: /^mobile\b/ })
      .click();
    await expect
      .poll(() => urlFilters(page))
      .toEqual([
        ["channel", "is", "Organic Search"],
        ["device", "is", "mobile"],
      ]);
    expect(new URL(page.url()).searchParams.get("period")).toBe("30d");
    await expect.poll(() => chips(page)).toEqual(["Channel is Organic Search", "Device is mobile"]);
    await expectSummary(page, both);
    await expect(page.getByRole("button", { name: "Last 30 days" })).toHaveAttribute("aria-pressed", "true");
  });

  await test.step("a reload keeps the filters and the numbers", async () => {
    await page.reload();
    await expect.poll(() => chips(page)).toEqual(["Channel is Organic Search", "Device is mobile"]);
    await expectSummary(page, both);
    await expectNoHorizontalScroll(page);
  });

  await test.step("on a phone the panels stack, their tabs scroll, and the page does not scroll sideways", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.getByRole("region", { name: "Sources" })).toBeVisible();
    const [sources, pages] = await Promise.all(["Sources", "Pages"].map((name) => page.getByRole("region", { name }).boundingBox()));
    expect(pages!.y, "Pages below Sources").toBeGreaterThan(sources!.y + sources!.height - 1);
    await expectNoHorizontalScroll(page);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await shot(page, "dimensions-filtered");

  await test.step("a click on a row of a dimension already filtered replaces that filter, in its place", async () => {
    // An `is not` filter (typed into the URL) leaves other channels in the panel to click.
    const filters = JSON.stringify([
      ["channel", "is_not", "Direct"],
      ["device", "is", "mobile"],
    ]);
    await page.goto(`${baseUrl()}/s/${siteId}?period=30d&filters=${encodeURIComponent(filters)}`);
    await expect.poll(() => chips(page)).toEqual(["Channel is not Direct", "Device is mobile"]);
    await expectSummary(
      page,
      expectedSummary((s) => s.channel !== "Direct" && mobile(s)),
    );
    await page
      .getByRole("region", { name: "Sources" })
      .getByRole("button", { name: /^Paid\b/ })
      .click();
    await expect.poll(() => chips(page)).toEqual(["Channel is Paid", "Device is mobile"]);
    await expectSummary(
      page,
      expectedSummary((s) => s.channel === "Paid" && mobile(s)),
    );
  });

  await test.step("removing one chip keeps the other: the numbers are the device's alone", async () => {
    await page.getByRole("button", { name: "Remove filter Channel is Paid" }).click();
    await expect.poll(() => chips(page)).toEqual(["Device is mobile"]);
    await expect.poll(() => urlFilters(page)).toEqual([["device", "is", "mobile"]]);
    await expectSummary(page, expectedSummary(mobile));
    await page.getByRole("button", { name: "Remove filter Device is mobile" }).click();
    await expect.poll(() => urlFilters(page)).toBeNull();
    await expectSummary(
      page,
      expectedSummary(() => true),
    );
  });

  await test.step("the shared link takes the same filters, and its rows add them the same way", async () => {
    await page.goto(`${baseUrl()}/s/${siteId}/settings`);
    await page.getByRole("switch", { name: "Shared link" }).click();
    const link = page.getByLabel("Link", { exact: true });
    await expect(link).toHaveValue(/\/share\//);
    const shareUrl = await link.inputValue();

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const visitor = await context.newPage();
    const filters = JSON.stringify([["channel", "is", "Organic Search"]]);
    await visitor.goto(`${shareUrl}?filters=${encodeURIComponent(filters)}`);
    await expect.poll(() => chips(visitor)).toEqual(["Channel is Organic Search"]);
    await expectSummary(visitor, expectedSummary(organic));
    await visitor
      .getByRole("region", { name: "Devices" })
      .getByRole("button", { name: /^mobile\b/ })
      .click();
    await expect.poll(() => chips(visitor)).toEqual(["Channel is Organic Search", "Device is mobile"]);
    await expectSummary(visitor, both);
    await visitor.reload();
    await expectSummary(visitor, both);
    await visitor.getByRole("button", { name: "Remove filter Device is mobile" }).click();
    await expectSummary(visitor, expectedSummary(organic));
    await shot(visitor, "dimensions-shared");
    await context.close();
    // Leave the site as other specs expect sites: not shared.
    await page.getByRole("switch", { name: "Shared link" }).click();
    await expect(page.getByRole("switch", { name: "Shared link" })).toHaveAttribute("aria-checked", "false");
  });

  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __pulseXss?: number }).__pulseXss)).toBeUndefined();
});
