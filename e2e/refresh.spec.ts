import { expect, test } from "@playwright/test";
import { signIn } from "./support/helpers";

test("the dashboard refreshes its numbers every 60 seconds", async ({ page }) => {
  await page.clock.install();
  let reportRequests = 0;
  page.on("request", (req) => {
    if (req.url().includes("/api/trpc/") && req.url().includes("analytics.report")) reportRequests++;
  });
  await signIn(page);
  await expect(page.getByTestId("summary-sessions")).toBeVisible();
  const before = reportRequests;
  expect(before).toBeGreaterThan(0);

  await page.clock.runFor(30_000);
  expect(reportRequests).toBe(before);
  await page.clock.runFor(31_000);
  await expect.poll(() => reportRequests).toBeGreaterThan(before);
});
