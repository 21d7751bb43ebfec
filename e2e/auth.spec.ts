import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, baseUrl, signIn } from "./support/helpers";

/** `npm run admin:password` against the stack's database. */
function changePassword(password: string): string {
  return execFileSync("node_modules/.bin/tsx", ["scripts/admin-password.ts", "--email", ADMIN_EMAIL, "--password", password], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    encoding: "utf8",
  });
}

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

  test("npm run admin:password changes the password and ends sessions signed in with the old one", async ({ page, browser }) => {
    await signIn(page);
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    const newPassword = `${ADMIN_PASSWORD}-rotated`;
    try {
      expect(changePassword(newPassword)).toContain("Password changed");
      await page.reload();
      await expect(page).toHaveURL(/\/signin/);

      const other = await browser.newPage();
      await signIn(other, ADMIN_PASSWORD);
      await expect(other.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
      await signIn(other, newPassword);
      await expect(other.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
      await other.close();
    } finally {
      changePassword(ADMIN_PASSWORD);
    }
  });
});
