/**
 * GET /api/analytics against next start over aggregates the real ETL wrote: who may read
 * (src/server/readAccess.ts, shared with /api/health) and how many rows a list holds.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyticsReport } from "@/core/analytics/types";
import { createApiKey, revokeApiKey } from "@/core/db/apiKeys";
import type { StoredEvent } from "@/core/events";
import { startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { runPass, storedEvent, writeLogEvents } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";
import { sessionCookie } from "../../support/session";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";

const DAY = "2026-03-10";
/** More pages and buttons than the default limit of 100. */
const PAGES = 130;

let db: TestDatabase;
let logsDir: string;
let app: RunningApp;
let readKey: string;
const authSecret = randomBytes(32).toString("hex");

function sessionEvents(i: number): StoredEvent[] {
  const base = { user_id: `u${i}`, session_id: `s${i}` };
  const t = (s: number) => `${DAY}T10:00:${String(s).padStart(2, "0")}.000Z`;
  return [
    storedEvent(t(0), { ...base, event_type: "session_created" }),
    storedEvent(t(1), { ...base, event_type: "page_visited", page_path: `/page-${i}` }),
    storedEvent(t(2), { ...base, event_type: "button_clicked", page_path: `/page-${i}`, button_id: `button-${i}` }),
  ];
}

beforeAll(async () => {
  db = await createTestDatabase("api_analytics");
  process.env.DATABASE_URL = db.url; // before the first getConfig(), so keys and users go there
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-api-analytics-"));
  await writeLogEvents(logsDir, Array.from({ length: PAGES }, (_, i) => sessionEvents(i)).flat());
  expect((await runPass(db.url, logsDir)).sessionsRecomputed).toBe(PAGES);
  readKey = (await createApiKey({ siteId: DEFAULT_SITE_ID, name: "analytics-test read", scopes: ["read"] })).secret;
  app = await startApp({ name: "api-analytics", env: { DATABASE_URL: db.url, AUTH_SECRET: authSecret, LOG_LEVEL: "warn" } });
});

afterAll(async () => {
  await app?.stop();
  await closeCoreConnections();
  await db?.drop();
  if (logsDir) await rm(logsDir, { recursive: true, force: true });
});

async function analytics(query: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${app.url}/api/analytics?${query}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const range = `from=${DAY}&to=${DAY}`;

describe("GET /api/analytics: who may read", () => {
  it("a read key or a session: 200; nothing: 401; a bad or revoked key: 401; an ingest-only key: 403", async () => {
    const revoked = await createApiKey({ siteId: DEFAULT_SITE_ID, name: "analytics-test revoked", scopes: ["read"] });
    await revokeApiKey(revoked.key.id);
    const ingestOnly = await createApiKey({ siteId: DEFAULT_SITE_ID, name: "analytics-test ingest", scopes: ["ingest"] });
    const cookie = await sessionCookie(authSecret);
    const cases: Array<[Record<string, string>, number]> = [
      [{ authorization: `Bearer ${readKey}` }, 200],
      [{ "x-api-key": readKey }, 200],
      [{ cookie }, 200],
      [{}, 401],
      [{ authorization: "Bearer pk_00000000_unknownunknownunknownunknownunknown" }, 401],
      [{ authorization: `Bearer ${revoked.secret}` }, 401],
      // The key decides when there is one, whatever the cookie says.
      [{ authorization: `Bearer ${revoked.secret}`, cookie }, 401],
      [{ "x-api-key": ingestOnly.secret }, 403],
    ];
    for (const [headers, want] of cases) {
      // The key's own site, or the site the session names.
      const { status, body } = await analytics(`${range}&site=${DEFAULT_SITE_ID}`, headers);
      expect(status, Object.keys(headers).join("+")).toBe(want);
      if (want !== 200) expect(body).toEqual({ error: want === 401 ? "unauthorized" : "forbidden", message: expect.any(String) });
    }
  });
});

describe("GET /api/analytics: rows per list", () => {
  const auth = () => ({ authorization: `Bearer ${readKey}` });

  it("100 per list when no limit is given, ordered as docs/api.md says", async () => {
    const { status, body } = await analytics(range, auth());
    expect(status).toBe(200);
    const report = body as unknown as AnalyticsReport;
    expect(report.summary.sessions).toBe(PAGES);
    expect(report.page_engagement).toHaveLength(100);
    expect(report.click_through_rates).toHaveLength(100);
  });

  it("limit=N gives N, up to 10,000; anything else is 400", async () => {
    const five = (await analytics(`${range}&limit=5`, auth())).body as unknown as AnalyticsReport;
    expect(five.page_engagement).toHaveLength(5);
    const all = (await analytics(`${range}&limit=10000`, auth())).body as unknown as AnalyticsReport;
    expect(all.page_engagement).toHaveLength(PAGES);
    expect(all.click_through_rates).toHaveLength(PAGES);
    for (const bad of ["10001", "0", "-1", "2.5", "abc", ""]) {
      const { status, body } = await analytics(`${range}&limit=${bad}`, auth());
      expect(status, bad).toBe(400);
      expect(body).toMatchObject({ error: "invalid_query", issues: [{ path: "limit" }] });
    }
  });

  it("the dashboard's own query keeps 25 rows per list", async () => {
    const input = encodeURIComponent(JSON.stringify(superjson.serialize({ siteId: DEFAULT_SITE_ID, from: DAY, to: DAY })));
    const res = await fetch(`${app.url}/api/trpc/analytics.report?input=${input}`, {
      headers: { cookie: await sessionCookie(authSecret) },
    });
    expect(res.status).toBe(200);
    const report = superjson.deserialize<AnalyticsReport>(((await res.json()) as { result: { data: never } }).result.data);
    expect(report.page_engagement).toHaveLength(25);
    expect(report.click_through_rates).toHaveLength(25);
  });
});
