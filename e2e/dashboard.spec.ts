/**
 * The admin's whole day, through the real platform: create a key, send events with it, run the
 * ETL from the dashboard, read the numbers docs/metrics.md give for those events (hand-computed in
 * support/events.ts), change the date range, and revoke the key.
 */
import { mkdir } from "node:fs/promises";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { DEFAULT_SITE_ID } from "../src/core/sites/defaultSite";
import { EVENT_COUNT, EXPECTED_30D, EXPECTED_7D, XSS_BUTTON, XSS_PAGE, buildEvents } from "./support/events";
import { baseUrl, expectNoHorizontalScroll, postEvents, signIn, waitForLogged } from "./support/helpers";

const ARTIFACTS = "artifacts";

async function cellTexts(table: Locator): Promise<string[][]> {
  const rows = table.locator("tbody tr");
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    out.push((await rows.nth(i).locator("td").allInnerTexts()).map((t) => t.trim()));
  }
  return out;
}

async function expectSummary(page: Page, expected: typeof EXPECTED_7D.summary) {
  await expect(page.getByTestId("summary-sessions")).toHaveText(expected.sessions);
  await expect(page.getByTestId("summary-users")).toHaveText(expected.users);
  await expect(page.getByTestId("summary-avg_duration_seconds")).toHaveText(expected.avgDuration);
  await expect(page.getByTestId("summary-avg_duration_seconds")).toHaveAttribute("title", `${expected.avgDurationExact} seconds`);
  await expect(page.getByTestId("summary-page_views")).toHaveText(expected.pageViews);
}

async function expectTables(page: Page, expected: typeof EXPECTED_7D) {
  const pages = page.getByRole("table", { name: "Page engagement" });
  await expect
    .poll(async () => (await cellTexts(pages)).slice(0, expected.pages.length))
    .toEqual(expected.pages.map((p) => [p.path, p.visits, p.users, p.avgTime]));
  const clicks = page.getByRole("table", { name: "Click analytics" });
  await expect
    .poll(async () => (await cellTexts(clicks)).slice(0, expected.clicks.length))
    .toEqual(expected.clicks.map((c) => [`${c.button}\n${c.page}`, c.clicks, c.views, c.ctr]));
}

test("create a key, send events, run the ETL, read the numbers, change the range, revoke the key", async ({ page, request }) => {
  // Anything event text could smuggle in (an alert, an injected script) must never run.
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  await test.step("sign in to an empty dashboard that says what to do next", async () => {
    await signIn(page);
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    await expect(page.getByRole("heading", { name: /No data yet/ })).toBeVisible();
    await expect(page.getByText("Create an API key")).toBeVisible();
  });

  let secret = "";
  await test.step("create an ingest key; its secret is shown once with a curl line", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
    await expect(page.getByText("No API keys yet")).toBeVisible();
    await page.getByRole("button", { name: "Create API key" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("E2E site");
    await expect(dialog.getByRole("checkbox", { name: /^ingest/ })).toBeChecked();
    await dialog.getByRole("button", { name: "Create key" }).click();
    const secretInput = dialog.getByLabel("Your API key");
    await expect(secretInput).toHaveValue(/^sk_[0-9a-f]{8}_[A-Za-z0-9_-]{32,}$/);
    secret = await secretInput.inputValue();
    await expect(dialog.locator("pre")).toContainText(`Authorization: Bearer ${secret}`);
    await expect(dialog.locator("pre")).toContainText(`${baseUrl()}/api/events`);
    await expect(dialog.getByRole("button", { name: "Copy API key" })).toBeVisible();
    await dialog.getByRole("button", { name: "I have copied it" }).click();
    await expect(page.getByRole("dialog")).toBeHidden();

    const row = page.getByRole("table", { name: "API keys" }).getByRole("row", { name: /E2E site/ });
    await expect(row).toContainText(secret.slice(0, 11));
    await expect(row).toContainText("ingest");
    await expect(row).toContainText("Active");
    await expect(row).toContainText("Never");
    // The secret itself is not on the page any more.
    await expect(page.getByText(secret)).toHaveCount(0);
  });

  const events = buildEvents();
  await test.step("send events with the key through POST /api/events", async () => {
    const res = await postEvents(request, secret, events);
    expect(res.status(), await res.text()).toBe(202);
    expect((await res.json()).accepted).toBe(EVENT_COUNT);
    await waitForLogged(events.map((e) => e.event_id));
  });

  await test.step("run the ETL from the dashboard and see its progress and result", async () => {
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.getByRole("button", { name: "Run ETL now" }).click();
    await expect(page.getByTestId("etl-run-message")).toContainText(`ETL pass finished`, { timeout: 60_000 });
    await expect(page.getByTestId("etl-run-message")).toContainText(`${EVENT_COUNT} new events read`);
    await expect(page.getByTestId("etl-events")).toHaveText(String(EVENT_COUNT));
    await expect(page.getByRole("button", { name: "Run ETL now" })).toBeEnabled();
  });

  await test.step('two "run now" requests at the same moment start one pass, not two', async () => {
    // Not the browser, so it names the app's origin itself, as every tRPC mutation must.
    const headers = { "content-type": "application/json", origin: baseUrl() };
    // (superjson's wire format; every site procedure names its site.)
    const data = { json: { siteId: DEFAULT_SITE_ID } };
    const runNow = () => page.request.post(`${baseUrl()}/api/trpc/etl.runNow`, { data, headers });
    const answers = await Promise.all([runNow(), runNow()]);
    const jobIds = await Promise.all(
      answers.map(async (r) => {
        expect(r.status(), await r.text()).toBe(200);
        return ((await r.json()) as { result: { data: { json: { jobId: string } } } }).result.data.json.jobId;
      }),
    );
    expect(jobIds[0]).toBe(jobIds[1]);
  });

  await test.step("the last 7 days show the docs/metrics.md numbers for those events", async () => {
    await expect(page.getByRole("button", { name: "Last 7 days" })).toHaveAttribute("aria-pressed", "true");
    await expectSummary(page, EXPECTED_7D.summary);
    await expectTables(page, EXPECTED_7D);
    await expect(page.getByRole("heading", { name: /No data yet/ })).toHaveCount(0);
  });

  await test.step("markup from events is shown as text and never runs", async () => {
    await expect(page.getByRole("table", { name: "Page engagement" }).getByText(XSS_PAGE, { exact: true })).toBeVisible();
    await expect(page.getByRole("table", { name: "Click analytics" }).getByText(XSS_BUTTON, { exact: true })).toBeVisible();
    // The chart's tooltip shows the full path, as text too.
    await page.locator(".recharts-bar-rectangle").nth(2).hover();
    await expect(page.getByRole("tooltip")).toContainText(XSS_PAGE);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pulseXss?: number }).__pulseXss)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });

  await test.step("change the range to 30 days: the older session counts now", async () => {
    await page.getByRole("button", { name: "Last 30 days" }).click();
    await expect(page).toHaveURL(/[?&]period=30d/);
    await expectSummary(page, EXPECTED_30D.summary);
    await expectTables(page, EXPECTED_30D);
  });

  await test.step("a custom range is in the URL, so a shared link shows the same numbers", async () => {
    const oldDay = events.find((e) => e.session_id.startsWith("s5-"))!.event_time.slice(0, 10);
    await page.getByRole("button", { name: "Custom" }).click();
    const form = page.getByRole("form", { name: "Custom date range" });
    await form.getByLabel("From").fill(oldDay);
    await form.getByLabel("To").fill(oldDay);
    await form.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(new RegExp(`from=${oldDay}&to=${oldDay}`));
    // Only S5: one session of 50 s with 2 page views.
    const oneDay = { sessions: "1", users: "1", avgDuration: "50s", avgDurationExact: "50", pageViews: "2" };
    await expectSummary(page, oneDay);
    await page.reload();
    await expectSummary(page, oneDay);
    await expect(page.getByRole("button", { name: "Custom" })).toHaveAttribute("aria-pressed", "true");
  });

  await test.step("on a phone the dashboard still reads well", async () => {
    await page.getByRole("button", { name: "Last 30 days" }).click();
    await expectSummary(page, EXPECTED_30D.summary);
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.getByTestId("summary-sessions")).toBeVisible();
    await expectNoHorizontalScroll(page, "no horizontal scrolling of the page on a phone");
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 1000 });
  });

  await test.step("revoke the key after confirming; ingest then answers 401", async () => {
    await page.getByRole("link", { name: "API keys" }).click();
    const table = page.getByRole("table", { name: "API keys" });
    await expect(table.getByRole("row", { name: /E2E site/ })).not.toContainText("Never");
    await table.getByRole("button", { name: "Revoke E2E site" }).click();
    const confirm = page.getByRole("alertdialog", { name: /Revoke “E2E site”\?/ });
    await expect(confirm).toContainText("This cannot be undone");
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await expect(confirm).toBeHidden();
    await expect(table.getByRole("row", { name: /E2E site/ })).toContainText("Revoked");
    await expect(table.getByRole("button", { name: "Revoke E2E site" })).toHaveCount(0);

    const res = await postEvents(request, secret, [buildEvents()[0]!]);
    expect(res.status()).toBe(401);
  });

  expect(dialogs).toEqual([]);
});
