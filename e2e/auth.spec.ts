import { expect, test } from "@playwright/test";
import { ADMIN_PASSWORD, baseUrl, signIn } from "./support/helpers";

test.describe("sign-in", () => {
  test("every page sends a signed-out visitor to the sign-in page", async ({ page }) => {
    for (const path of ["/", "/keys", "/?period=30d"]) {
      await page.goto(`${baseUrl()}${path}`);
      await expect(page).toHaveURL(/\/signin/);
      await expect(page.getByRole("heading", { name: "Sign in to Pulse" })).toBeVisible();
    }
  });

  test("a wrong password is refused, the right one lets the admin in, sign out ends the session", async ({ page }) => {
    await signIn(page, `${ADMIN_PASSWORD}-wrong`);
    await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
    await expect(page).toHaveURL(/\/signin/);

    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    await expect(page).toHaveURL(`${baseUrl()}/`);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    await page.goto(`${baseUrl()}/keys`);
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fkeys/);
  });

  test("after sign-in the visitor lands on the page they asked for", async ({ page }) => {
    await page.goto(`${baseUrl()}/keys`);
    await expect(page).toHaveURL(/callbackUrl=%2Fkeys/);
    await page.getByLabel("Email").fill("ADMIN@e2e.pulse.test");
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
  });
});
