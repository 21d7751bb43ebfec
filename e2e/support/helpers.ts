import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./stack";

export { ADMIN_EMAIL, ADMIN_PASSWORD };

export function baseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error("E2E_BASE_URL is not set: run the specs through playwright.config.ts (global setup)");
  return url;
}

/**
 * The page does not scroll sideways at its current size. Polled: right after a resize, charts
 * keep their old pixel width until their ResizeObserver has run and React has rendered again
 * (one CI run measured the 1,212 px desktop chart in a 390 px viewport); what stays too wide fails.
 */
export async function expectNoHorizontalScroll(page: Page, message = "no horizontal scrolling of the page"): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), { message, timeout: 5_000 })
    .toBeLessThanOrEqual(0);
}

/** Signs in as the stack's admin (on `url`: another web process of the same stack, live.spec.ts). */
export async function signIn(page: Page, password = ADMIN_PASSWORD, url = baseUrl()): Promise<void> {
  await page.goto(`${url}/signin`);
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Creates a site (UTC) from the sites page; returns its id (the page is then its keys page). */
export async function createSite(page: Page, name: string, hostnames: string = name): Promise<string> {
  await page.goto(`${baseUrl()}/sites?new=1`);
  const form = page.getByRole("region", { name: "New site" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Hostnames").fill(hostnames);
  await form.getByLabel("Time zone").selectOption("UTC");
  await form.getByRole("button", { name: "Create site" }).click();
  await expect(page).toHaveURL(/\/s\/[0-9a-f-]{36}\/keys\?created=1$/);
  return /\/s\/([0-9a-f-]{36})\//.exec(page.url())![1]!;
}

/** Creates a secret key on the keys page that is open; returns the secret the dialog shows once. */
export async function createSecretKey(page: Page, name: string): Promise<string> {
  await page.getByRole("button", { name: "Create API key" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create key" }).click();
  const secretInput = dialog.getByLabel("Your API key");
  await expect(secretInput).toHaveValue(/^sk_/);
  const secret = await secretInput.inputValue();
  await dialog.getByRole("button", { name: "I have copied it" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  return secret;
}

/** A new site (UTC, its name as hostname) and a secret key for it. */
export async function createSiteWithKey(page: Page, name: string): Promise<{ siteId: string; secret: string }> {
  const siteId = await createSite(page, name);
  return { siteId, secret: await createSecretKey(page, `${name} server`) };
}

export async function postEvents(request: APIRequestContext, key: string, events: object[]) {
  return request.post(`${baseUrl()}/api/events`, {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    data: events.length === 1 ? events[0] : { events },
  });
}

async function readAllLogLines(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith(".jsonl")) continue;
    const file = path.join(e.parentPath, e.name);
    if (!file.includes(`${path.sep}events${path.sep}`)) continue;
    out.push(...(await readFile(file, "utf8")).split("\n").filter(Boolean));
  }
  return out;
}

/** Waits until the consumer has written every one of these event ids to the events log. */
export async function waitForLogged(eventIds: string[], timeoutMs = 30_000): Promise<void> {
  const dir = process.env.E2E_LOGS_DIR!;
  await expect
    .poll(
      async () => {
        const lines = await readAllLogLines(dir);
        const seen = new Set(lines.map((l) => (JSON.parse(l) as { event_id: string }).event_id));
        return eventIds.filter((id) => !seen.has(id)).length;
      },
      { timeout: timeoutMs, message: "events to reach the JSON Lines log" },
    )
    .toBe(0);
}

/**
 * With E2E_SHOTS_DIR set: the page at 1440×1000 and 390×844, full height (`prepare` runs at each
 * size before the shot, e.g. to open a menu).
 */
export async function shot(page: Page, name: string, prepare?: () => Promise<void>): Promise<void> {
  const dir = process.env.E2E_SHOTS_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  const size = page.viewportSize() ?? { width: 1440, height: 1000 };
  for (const [label, width, height] of [
    ["desktop", 1440, 1000],
    ["phone", 390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    if (prepare) await prepare();
    await page.screenshot({ path: `${dir}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize(size);
}
