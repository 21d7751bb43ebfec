/**
 * Sites end to end: an admin creates a site, sends its events with its own key and reads them on
 * its dashboard only; invites a viewer, who sets a password through the one-time link and sees
 * that site alone; and shares the dashboard by link, then turns the link off.
 *
 * E2E_SHOTS_DIR=<dir> also saves screenshots of each page at desktop and phone sizes.
 */
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { DEFAULT_SITE_ID } from "../src/core/sites/defaultSite";
import { baseUrl, expectNoHorizontalScroll, postEvents, shot, signIn, waitForLogged } from "./support/helpers";

const VIEWER_EMAIL = "viewer@e2e.pulse.test";
const VIEWER_PASSWORD = "viewer-correct-horse";

/**
 * Two sessions on a page path no other spec sends, so its absence elsewhere means something.
 * S1: 30 s, 1 page view; S2: 50 s, 2 page views → 2 sessions, 2 users, 40 s on average, 3 page views.
 */
function shopEvents(now = Date.now()) {
  const run = randomUUID().slice(0, 8);
  const path = `/checkout-${run}`;
  const at = (start: number, s: number) => new Date(start + s * 1000).toISOString();
  const event = (session: string, user: string, start: number, s: number, event_type: string, page_path?: string) => ({
    event_type,
    user_id: `${user}-${run}`,
    session_id: `${session}-${run}`,
    event_id: randomUUID(),
    event_time: at(start, s),
    ...(page_path ? { page_path } : {}),
  });
  const s1 = now - 2 * 3600_000;
  const s2 = now - 3600_000;
  const events = [
    event("shop-s1", "shop-u1", s1, 0, "session_created"),
    event("shop-s1", "shop-u1", s1, 0, "page_visited", path),
    event("shop-s1", "shop-u1", s1, 30, "session_ended"),
    event("shop-s2", "shop-u2", s2, 0, "session_created"),
    event("shop-s2", "shop-u2", s2, 0, "page_visited", path),
    event("shop-s2", "shop-u2", s2, 10, "page_visited", "/"),
    event("shop-s2", "shop-u2", s2, 50, "session_ended"),
  ];
  return { events, path, summary: { sessions: "2", users: "2", avgDuration: "40s", pageViews: "3" } };
}

async function expectSummary(page: Page, expected: { sessions: string; users: string; avgDuration: string; pageViews: string }) {
  await expect(page.getByTestId("summary-sessions")).toHaveText(expected.sessions);
  await expect(page.getByTestId("summary-users")).toHaveText(expected.users);
  await expect(page.getByTestId("summary-avg_duration_seconds")).toHaveText(expected.avgDuration);
  await expect(page.getByTestId("summary-page_views")).toHaveText(expected.pageViews);
}

async function noHorizontalScroll(page: Page) {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoHorizontalScroll(page, "no horizontal scrolling of the page on a phone");
  await page.setViewportSize(size);
}

test("a second site: its own key, events and dashboard, a viewer invited by link, and a shared dashboard", async ({
  page,
  browser,
  request,
}) => {
  const shop = shopEvents();
  let shopId = "";

  await test.step("the admin creates shop.example in Europe/Berlin on /sites", async () => {
    await signIn(page);
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    await page.getByRole("button", { name: /Switch site/ }).click();
    await page.getByRole("menuitem", { name: "New site" }).click();
    await expect(page).toHaveURL(/\/sites\?new=1$/);
    const form = page.getByRole("region", { name: "New site" });
    await expect(form.getByLabel("Name", { exact: true })).toBeFocused();
    await shot(page, "sites");
    await form.getByLabel("Name", { exact: true }).fill("shop.example");
    await form.getByLabel("Hostnames").fill("shop.example");
    await form.getByLabel("Time zone").selectOption("Europe/Berlin");
    await form.getByRole("button", { name: "Create site" }).click();
    await expect(page).toHaveURL(/\/s\/[0-9a-f-]{36}\/keys\?created=1$/);
    shopId = /\/s\/([0-9a-f-]{36})\//.exec(page.url())![1]!;
    await expect(page.getByRole("status").filter({ hasText: "Site “shop.example” created" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Site: shop.example. Switch site" })).toBeVisible();
    await expect(page.getByTestId("footer-time-zone")).toHaveText("Europe/Berlin");
  });

  await test.step("a field the server refuses is named next to the field", async () => {
    await page.goto(`${baseUrl()}/sites`);
    const form = page.getByRole("region", { name: "New site" });
    await form.getByLabel("Name", { exact: true }).fill("bad hosts");
    await form.getByLabel("Hostnames").fill("https://not a host/");
    await form.getByRole("button", { name: "Create site" }).click();
    await expect(form.getByLabel("Hostnames")).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/sites$/);
    // Both sites are listed with the admin's role.
    const list = page.getByRole("list", { name: "Your sites" });
    await expect(list.getByRole("link", { name: /shop\.example/ })).toContainText("Europe/Berlin");
    await expect(list.getByRole("link", { name: /default/ })).toContainText("Admin");
  });

  let secret = "";
  await test.step("a secret key on shop.example's keys page", async () => {
    await page.goto(`${baseUrl()}/s/${shopId}/keys`);
    await page.getByRole("button", { name: "Create API key" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("Shop");
    await dialog.getByRole("button", { name: "Create key" }).click();
    const secretInput = dialog.getByLabel("Your API key");
    await expect(secretInput).toHaveValue(/^sk_[0-9a-f]{8}_[A-Za-z0-9_-]{32,}$/);
    secret = await secretInput.inputValue();
    await dialog.getByRole("button", { name: "I have copied it" }).click();
    await expect(page.getByRole("dialog")).toBeHidden();
  });

  await test.step("events sent with it reach shop.example's dashboard after an ETL pass", async () => {
    const res = await postEvents(request, secret, shop.events);
    expect(res.status(), await res.text()).toBe(202);
    await waitForLogged(shop.events.map((e) => e.event_id));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await expect(page).toHaveURL(`${baseUrl()}/s/${shopId}`);
    await expect(page.getByTestId("range-label")).toContainText("(days in Europe/Berlin)");
    await page.getByRole("button", { name: "Run ETL now" }).click();
    await expect(page.getByTestId("etl-run-message")).toContainText("ETL pass finished", { timeout: 60_000 });
    await expectSummary(page, shop.summary);
    await expect(page.getByRole("table", { name: "Page engagement" }).getByText(shop.path, { exact: true })).toBeVisible();
  });

  await test.step("the default site does not count them; the switcher keeps the page", async () => {
    await page.getByRole("button", { name: /Switch site/ }).click();
    await shot(page, "switcher-open", async () => {
      if ((await page.getByRole("menu", { name: "Sites" }).count()) === 0) await page.getByRole("button", { name: /Switch site/ }).click();
    });
    await page.getByRole("menuitem", { name: "default" }).click();
    await expect(page).toHaveURL(`${baseUrl()}/s/${DEFAULT_SITE_ID}`);
    await expect(page.getByTestId("summary-sessions")).toBeVisible();
    await expect(page.getByTestId("range-label")).toContainText("(days in UTC)");
    // (Recharts leaves a hidden text-measuring span in <body>; the page itself is <main>.)
    await expect(page.getByRole("main").getByText(shop.path)).toHaveCount(0);

    // From shop.example's settings, the switcher goes to default's settings.
    await page.goto(`${baseUrl()}/s/${shopId}/settings`);
    await page.getByRole("button", { name: /Switch site/ }).press("Enter");
    await expect(page.getByRole("menuitem", { name: "default" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(`${baseUrl()}/s/${DEFAULT_SITE_ID}/settings`);
    await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  });

  let inviteUrl = "";
  await test.step("the admin invites a viewer and is shown the one-time link once", async () => {
    await page.goto(`${baseUrl()}/s/${shopId}/members`);
    await expect(page.getByText("No members yet")).toBeVisible();
    await page.getByLabel("Email").fill(VIEWER_EMAIL);
    await page.getByLabel("Role", { exact: true }).selectOption("viewer");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const notice = page.getByTestId("invite-link");
    await expect(notice).toContainText(`Send this one-time link to ${VIEWER_EMAIL}; it sets their password and is valid for 7 days`);
    inviteUrl = await notice.getByLabel(`Invitation link for ${VIEWER_EMAIL}`).inputValue();
    expect(inviteUrl).toMatch(new RegExp(`^${baseUrl()}/invite/[A-Za-z0-9_-]{43}$`));
    const row = page.getByRole("table", { name: "Members" }).getByRole("row", { name: new RegExp(VIEWER_EMAIL) });
    await expect(row).toContainText("has not set a password yet");
    await expect(row.getByLabel(`Role of ${VIEWER_EMAIL}`)).toHaveValue("viewer");
    await shot(page, "members-invite-link");
  });

  await test.step("the viewer sets a password through the link and signs in", async () => {
    const context = await browser.newContext();
    const viewer = await context.newPage();
    await viewer.goto(inviteUrl);
    await expect(viewer.getByRole("heading", { name: "Set a password" })).toBeVisible();
    await expect(viewer.getByText(`for ${VIEWER_EMAIL}`)).toBeVisible();
    await viewer.getByLabel("New password").fill(VIEWER_PASSWORD);
    await viewer.getByLabel("Repeat the password").fill(`${VIEWER_PASSWORD}-typo`);
    await viewer.getByRole("button", { name: "Set password" }).click();
    await expect(viewer.getByRole("alert").filter({ hasText: "The two passwords differ." })).toBeVisible();
    await viewer.getByLabel("Repeat the password").fill(VIEWER_PASSWORD);
    await viewer.getByRole("button", { name: "Set password" }).click();

    await expect(viewer).toHaveURL(/\/signin\?email=viewer%40e2e\.pulse\.test&notice=password-set$/);
    await expect(viewer.getByRole("status").filter({ hasText: "Password set" })).toBeVisible();
    await expect(viewer.getByLabel("Email")).toHaveValue(VIEWER_EMAIL);
    await viewer.getByLabel("Password").fill(VIEWER_PASSWORD);
    await viewer.getByRole("button", { name: "Sign in" }).click();

    // Their only site, with the same numbers, and nothing a viewer may not do.
    await expect(viewer).toHaveURL(`${baseUrl()}/s/${shopId}`);
    await expectSummary(viewer, shop.summary);
    await expect(viewer.getByRole("button", { name: "Run ETL now" })).toHaveCount(0);
    for (const name of ["API keys", "Settings", "Members"]) await expect(viewer.getByRole("link", { name })).toHaveCount(0);
    await viewer.getByRole("button", { name: "Site: shop.example. Switch site" }).click();
    const menu = viewer.getByRole("menu", { name: "Sites" });
    await expect(menu.getByRole("menuitem")).toHaveText(["All sites"]);
    await viewer.keyboard.press("Escape");
    await expect(menu).toBeHidden();

    for (const path of [`/s/${DEFAULT_SITE_ID}`, `/s/${shopId}/keys`, `/s/${shopId}/settings`, `/s/${shopId}/members`]) {
      await viewer.goto(`${baseUrl()}${path}`);
      await expect(viewer.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
    }

    // The link worked once.
    await viewer.goto(inviteUrl);
    await expect(viewer.getByRole("heading", { name: "This link is not valid any more" })).toBeVisible();
    await context.close();

    // The admin's list now shows the viewer as someone who can sign in.
    await page.reload();
    const row = page.getByRole("table", { name: "Members" }).getByRole("row", { name: new RegExp(VIEWER_EMAIL) });
    await expect(row).toBeVisible();
    await expect(row).not.toContainText("has not set a password yet");
  });

  let shareUrl = "";
  await test.step("the admin shares the dashboard: anyone with the link reads it, without signing in", async () => {
    await page.goto(`${baseUrl()}/s/${shopId}/settings`);
    const toggle = page.getByRole("switch", { name: "Shared link" });
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-checked", "true");
    const link = page.getByLabel("Link", { exact: true });
    await expect(link).toHaveValue(new RegExp(`^${baseUrl()}/share/[A-Za-z0-9_-]{32}$`));
    shareUrl = await link.inputValue();
    await expect(page.getByText("Anyone with this link sees the dashboard, read-only")).toBeVisible();
    await shot(page, "settings");

    const context = await browser.newContext();
    const visitor = await context.newPage();
    const res = await visitor.goto(shareUrl);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["referrer-policy"]).toMatch(/^(no-referrer|same-origin)$/);
    await expect(visitor.getByRole("heading", { name: "shop.example", level: 1 })).toBeVisible();
    await expect(visitor.getByText("Shared read-only dashboard · dates in Europe/Berlin")).toBeVisible();
    await expectSummary(visitor, shop.summary);
    await expect(visitor.getByRole("table", { name: "Page engagement" }).getByText(shop.path, { exact: true })).toBeVisible();
    // Read-only: no ETL, no navigation, no account, no link into the signed-in app.
    await expect(visitor.getByRole("button", { name: "Run ETL now" })).toHaveCount(0);
    await expect(visitor.getByRole("button", { name: "Sign out" })).toHaveCount(0);
    await expect(visitor.getByRole("navigation")).toHaveCount(0);
    // Its one link is the country database's attribution (docs/enrichment.md), out of the app.
    await expect(visitor.getByRole("link")).toHaveCount(1);
    await expect(visitor.getByRole("link", { name: "IP Geolocation by DB-IP" })).toHaveAttribute("href", "https://db-ip.com");
    await visitor.getByRole("button", { name: "Last 30 days" }).click();
    await expect(visitor).toHaveURL(/[?&]period=30d/);
    await expectSummary(visitor, shop.summary);
    await noHorizontalScroll(visitor);
    await shot(visitor, "shared");
    await context.close();
  });

  await test.step("turned off, the link answers 404 at once", async () => {
    const toggle = page.getByRole("switch", { name: "Shared link" });
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    await expect(page.getByText("stops working at once")).toBeVisible();
    const context = await browser.newContext();
    const visitor = await context.newPage();
    const res = await visitor.goto(shareUrl);
    expect(res?.status()).toBe(404);
    await expect(visitor.getByRole("heading", { name: "This shared dashboard is not available" })).toBeVisible();
    await context.close();
  });

  await test.step("a new time zone: the settings say the dates are being recomputed until an ETL pass has done it", async () => {
    await page.goto(`${baseUrl()}/s/${shopId}/settings`);
    await page.getByLabel("Time zone").selectOption("America/New_York");
    await page.getByRole("button", { name: "Save" }).click();
    // The pass the save queued recomputes the dates; the page polls until the site says it is done.
    await expect(page.getByText("Saved.")).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId("recomputing")).toHaveCount(0);
    await expect(page.getByTestId("footer-time-zone")).toHaveText("America/New_York");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await expect(page.getByTestId("range-label")).toContainText("(days in America/New_York)");
    await expectSummary(page, shop.summary);
  });

  await test.step("the new pages fit a phone", async () => {
    for (const path of ["/sites", `/s/${shopId}/settings`, `/s/${shopId}/members`]) {
      await page.goto(`${baseUrl()}${path}`);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await noHorizontalScroll(page);
    }
  });
  await test.step("the admin deletes shop.example after reading what goes with it and typing its name", async () => {
    await page.goto(`${baseUrl()}/s/${shopId}/settings`);
    await page.getByRole("button", { name: "Delete site" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Delete “shop.example”?" });
    const preview = dialog.getByTestId("deletion-preview");
    await expect(preview).toContainText("2 sessions");
    await expect(preview).toContainText("1 API key");
    await expect(preview).toContainText("1 member");
    await expect(dialog).toContainText("The raw event log files stay on disk");
    const confirm = dialog.getByRole("button", { name: "Delete site" });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel("Type shop.example to confirm").fill("shop.exampl");
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel("Type shop.example to confirm").fill("shop.example");
    await shot(page, "delete-dialog");
    await confirm.click();
    await expect(page).toHaveURL(`${baseUrl()}/sites`);
    const list = page.getByRole("list", { name: "Your sites" });
    await expect(list.getByRole("link", { name: /default/ })).toBeVisible();
    await expect(list.getByRole("link", { name: /shop\.example/ })).toHaveCount(0);
    await page.goto(`${baseUrl()}/s/${shopId}`);
    await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  });
});
