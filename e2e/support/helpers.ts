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

/** Signs in as the stack's admin (on `url`: another web process of the same stack, live.spec.ts). */
export async function signIn(page: Page, password = ADMIN_PASSWORD, url = baseUrl()): Promise<void> {
  await page.goto(`${url}/signin`);
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
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
