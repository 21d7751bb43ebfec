import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { SIGN_IN_LIMITS } from "../src/core/auth/signIn";
import { DEFAULT_SITE_ID } from "../src/core/sites/defaultSite";
import { ADMIN_EMAIL, ADMIN_PASSWORD, baseUrl, signIn } from "./support/helpers";

/** An admin CLI (`npm run admin:password` / `admin:create`) against the stack's database. */
function adminCli(script: "admin-password" | "admin-create", email: string, password: string): string {
  return execFileSync("node_modules/.bin/tsx", [`scripts/${script}.ts`, "--email", email, "--password", password], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    encoding: "utf8",
  });
}

/** The default site's keys page (the pages of a site live under /s/<site id>). */
const KEYS_PATH = `/s/${DEFAULT_SITE_ID}/keys`;
const KEYS_CALLBACK = encodeURIComponent(KEYS_PATH);

function changePassword(password: string): string {
  return adminCli("admin-password", ADMIN_EMAIL, password);
}

test.describe("sign-in", () => {
  test("every page sends a signed-out visitor to the sign-in page", async ({ page }) => {
    for (const path of ["/", KEYS_PATH, `/s/${DEFAULT_SITE_ID}?period=30d`, "/sites"]) {
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
    await expect(page).toHaveURL(`${baseUrl()}/s/${DEFAULT_SITE_ID}`);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    await page.goto(`${baseUrl()}${KEYS_PATH}`);
    await expect(page).toHaveURL(`${baseUrl()}/signin?callbackUrl=${KEYS_CALLBACK}`);
  });

  test("after sign-in the visitor lands on the page they asked for", async ({ page }) => {
    await page.goto(`${baseUrl()}${KEYS_PATH}`);
    await expect(page).toHaveURL(new RegExp(`callbackUrl=${KEYS_CALLBACK}`));
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

  // Each of these is "//evil.example" or another origin to a browser; after sign-in the admin must stay here.
  for (const callbackUrl of [
    "/\t/evil.example",
    "/\\evil.example",
    "//evil.example",
    "https://evil.example",
    "javascript:alert(document.domain)",
  ]) {
    test(`a callbackUrl of ${JSON.stringify(callbackUrl)} lands on the dashboard after sign-in`, async ({ browser }) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${baseUrl()}/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
      await page.getByLabel("Email").fill(ADMIN_EMAIL);
      await page.getByLabel("Password").fill(ADMIN_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
      await expect(page).toHaveURL(`${baseUrl()}/s/${DEFAULT_SITE_ID}`);
      // Signed in, the sign-in page redirects at once: by the same rule.
      await page.goto(`${baseUrl()}/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
      await expect(page).toHaveURL(`${baseUrl()}/s/${DEFAULT_SITE_ID}`);
      await context.close();
    });
  }

  test("too many wrong passwords: the form says so, and then refuses even the right one", async ({ page }) => {
    const email = `locked-${randomBytes(4).toString("hex")}@e2e.pulse.test`;
    const password = "locked-account-password";
    adminCli("admin-create", email, password);
    await page.goto(`${baseUrl()}/signin`);
    await page.getByLabel("Email").fill(email);
    // (Next's route announcer is an empty alert too, hence the filters.)
    const alert = (text: string | RegExp) => page.getByRole("alert").filter({ hasText: text });
    // One attempt at a time: each submission's answer arrives before the next one is sent.
    const submit = async (pw: string) => {
      await page.getByLabel("Password").fill(pw);
      const answered = page.waitForResponse((res) => res.url().includes("/api/auth/callback/credentials"));
      await page.getByRole("button", { name: "Sign in" }).click();
      await answered;
    };
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
      await submit(`wrong-${i}`);
      await expect(alert("Wrong email or password.")).toBeVisible();
    }
    await submit(password);
    await expect(alert(/^Too many sign-in attempts\. Wait 15 minutes and try again\.$/)).toBeVisible();
    await expect(alert("Wrong email or password.")).toHaveCount(0);
    await expect(page).toHaveURL(/\/signin/);
  });

  test("when the server cannot check sign-ins, the form says it is unavailable (not a wrong password)", async ({ page }) => {
    // What the app answers while Redis is down (test/integration/dashboard/sign-in-limits.test.ts shows the server side).
    await page.route("**/api/auth/callback/credentials", (route) =>
      route.fulfill({ status: 401, json: { url: `${baseUrl()}/signin?error=SignInUnavailable` } }),
    );
    await signIn(page);
    await expect(page.getByRole("alert").filter({ hasText: "Sign-in is temporarily unavailable. Try again in a minute." })).toBeVisible();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toHaveCount(0);
  });
});
