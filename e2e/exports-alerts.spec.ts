/**
 * Exports and alerts from the dashboard (docs/exports.md, docs/alerts.md): a panel's "Export CSV"
 * and "Raw events (NDJSON)" download what was sent; a rule made on the Alerts page fires after the
 * ETL pass that loads a spike, delivers its signed webhook to a receiver this test runs, and shows
 * in the page's history. Numbers are computed here from what was sent.
 *
 * E2E_SHOTS_DIR=<dir> also saves the alerts page and the dashboard's export bar.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { expect, test } from "@playwright/test";
import { baseUrl, createSiteWithKey, postEvents, shot, signIn, waitForLogged } from "./support/helpers";

const SESSIONS = 12;
const PAGES = ["/", "/pricing"];

function buildEvents(now = Date.now()) {
  const run = randomUUID().slice(0, 8);
  // All within the current hour, and already past: the spike the rule watches.
  const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
  const start = Math.max(hourStart, now - 120_000);
  return Array.from({ length: SESSIONS }, (_, i) => {
    const at = (ms: number) => new Date(start + i * 1000 + ms).toISOString();
    const base = { user_id: `exp-u${i}-${run}`, session_id: `exp-s${i}-${run}` };
    return [
      { ...base, event_type: "session_created", event_id: randomUUID(), event_time: at(0) },
      ...PAGES.map((page_path, p) => ({
        ...base,
        event_type: "page_visited",
        page_path,
        event_id: randomUUID(),
        event_time: at(10 + p * 100),
      })),
    ];
  }).flat();
}

test("export a panel and the raw events; a rule fires after a spike and shows in the history", async ({ page, request }) => {
  const hooks: string[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      hooks.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page);
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    const { siteId, secret } = await createSiteWithKey(page, "exports.example");

    await test.step("an editor adds a rule on the Alerts page; the page says email is off", async () => {
      await page.goto(`${baseUrl()}/s/${siteId}/alerts`);
      await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();
      await expect(page.getByRole("status")).toContainText("No SMTP server is configured");
      const form = page.getByRole("form", { name: "New alert rule" });
      await form.getByLabel("Name").fill("Lunch rush");
      await form.getByLabel("Metric").selectOption("sessions");
      await form.getByLabel("Per").selectOption("hour");
      await form.getByLabel("When it").selectOption("above");
      await form.getByLabel("Value (or %)").fill("10");
      await form.getByLabel("Webhook URL (Slack-compatible, signed)").fill(webhook);
      await form.getByRole("button", { name: "Add rule" }).click();
      await expect(page.getByTestId("alert-rules")).toContainText("Lunch rush");
      await expect(page.getByTestId("alert-rules")).toContainText("Sessions per hour above 10");
    });

    const events = buildEvents();
    await test.step("a spike of sessions goes through /api/events and an ETL pass", async () => {
      const res = await postEvents(request, secret, events);
      expect(res.status(), await res.text()).toBe(202);
      await waitForLogged(events.map((e) => e.event_id));
      await page.goto(`${baseUrl()}/s/${siteId}`);
      await page.getByRole("button", { name: "Run ETL now" }).click();
      await expect(page.getByTestId("etl-run-message")).toContainText("ETL pass finished", { timeout: 60_000 });
      await expect(page.getByTestId("summary-sessions")).toHaveText(String(SESSIONS));
    });

    await test.step("Export CSV of the pages panel holds the visits sent", async () => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-pages").click()]);
      expect(download.suggestedFilename()).toMatch(/-pages-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = await readFile((await download.path())!, "utf8");
      const rows = csv.trimEnd().split("\r\n");
      expect(rows[0]).toBe("page_path,visits,users,total_time_spent_seconds,avg_time_spent_seconds");
      for (const path of PAGES) expect(rows.some((r) => r.startsWith(`${path},${SESSIONS},${SESSIONS},`))).toBe(true);
    });

    await test.step("Raw events (NDJSON) downloads every event sent, once", async () => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-raw-ndjson").click()]);
      expect(download.suggestedFilename()).toMatch(/\.ndjson\.gz$/);
      const lines = gunzipSync(await readFile((await download.path())!))
        .toString("utf8")
        .trimEnd()
        .split("\n");
      const ids = lines.map((l) => (JSON.parse(l) as { event_id: string }).event_id).sort();
      expect(ids).toEqual(events.map((e) => e.event_id).sort());
    });

    await test.step("Prepare a file: a job with progress, then a download of the same events", async () => {
      await page.getByTestId("export-prepare").click();
      const link = page.getByTestId("export-prepared-download");
      await expect(link).toContainText(`${SESSIONS * 3} events`, { timeout: 30_000 });
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toMatch(/\.ndjson\.gz$/);
      const lines = gunzipSync(await readFile((await download.path())!))
        .toString("utf8")
        .trimEnd()
        .split("\n");
      expect(lines.map((l) => (JSON.parse(l) as { event_id: string }).event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
      await shot(page, "dashboard-exports");
    });

    await test.step("the rule fired once for this hour: the webhook came, the history shows it", async () => {
      await expect.poll(() => hooks.length, { timeout: 30_000, message: "the webhook to arrive" }).toBe(1);
      expect((JSON.parse(hooks[0]!) as { pulse: { value: number; rule: string } }).pulse).toMatchObject({
        value: SESSIONS,
        rule: "Lunch rush",
      });
      await page.goto(`${baseUrl()}/s/${siteId}/alerts`);
      const history = page.getByTestId("alert-history");
      await expect(history).toContainText("Lunch rush");
      await expect(history.getByRole("row")).toHaveCount(2);
      await expect(history).toContainText("sent");
      await shot(page, "alerts");
    });
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
