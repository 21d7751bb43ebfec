/**
 * Filters and breakdowns (docs/dimensions.md) through GET /api/analytics, GET
 * /api/analytics/breakdown and the dashboard's tRPC procedures, over facts the real ETL wrote
 * from hand-made sessions whose every figure is worked out below.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyticsReport, BreakdownReport } from "@/core/analytics/types";
import { createApiKey } from "@/core/db/apiKeys";
import type { EventDims } from "@/core/dimensions/registry";
import type { StoredEvent } from "@/core/events";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { runPass, storedEvent, writeLogEvents } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";
import { sessionCookie } from "../../support/session";

const DAY = "2026-03-10";
const range = `from=${DAY}&to=${DAY}`;
const GOOGLE_MOBILE: EventDims = { channel: "Organic Search", referrer: "google.com", device: "mobile", browser: "Chrome", country: "DE" };
const GOOGLE_DESKTOP: EventDims = {
  channel: "Organic Search",
  referrer: "google.com",
  device: "desktop",
  browser: "Firefox",
  country: "FR",
};
const NEWSLETTER: EventDims = {
  channel: "Email",
  utm_source: "newsletter",
  utm_medium: "email",
  device: "desktop",
  browser: "Chrome",
  country: "DE",
};

interface Plan {
  dims?: EventDims;
  /** Pages visited in order, one per minute. */
  pages: string[];
  /** Whether the first event (session_created) carries the dims too. */
  dimsOnFirst?: boolean;
  signup?: boolean;
}

/** The test's visitors; the expected numbers below are counted from this list by hand. */
const PLANS: Plan[] = [
  { dims: GOOGLE_MOBILE, pages: ["/", "/pricing"], signup: true }, // s0
  { dims: GOOGLE_MOBILE, pages: ["/pricing"] }, // s1: a bounce
  { dims: GOOGLE_MOBILE, pages: ["/", "/docs", "/pricing"], dimsOnFirst: false }, // s2: its session_created has no dims
  { dims: GOOGLE_DESKTOP, pages: ["/"] }, // s3: a bounce
  { dims: GOOGLE_DESKTOP, pages: ["/docs", "/"], signup: true }, // s4
  { dims: NEWSLETTER, pages: ["/blog/launch", "/pricing"], signup: true }, // s5
  { pages: ["/"] }, // s6: no dims at all (a server event without context): unknown everywhere
];

function sessionEvents(plan: Plan, i: number): StoredEvent[] {
  const base = { user_id: `u${i}`, session_id: `s${i}` };
  const t = (minute: number) => `${DAY}T10:${String(minute).padStart(2, "0")}:${String(i).padStart(2, "0")}.000Z`;
  const dims = plan.dims ? { dims: plan.dims } : {};
  const events = [storedEvent(t(0), { ...base, event_type: "session_created", ...(plan.dimsOnFirst === false ? {} : dims) })];
  plan.pages.forEach((page, n) => events.push(storedEvent(t(n + 1), { ...base, event_type: "page_visited", page_path: page, ...dims })));
  if (plan.signup) events.push(storedEvent(t(plan.pages.length + 1), { ...base, event_type: "signup", ...dims }));
  return events;
}

let db: TestDatabase;
let logsDir: string;
let app: RunningApp;
let readKey: string;
const authSecret = randomBytes(32).toString("hex");

beforeAll(async () => {
  db = await createTestDatabase("api_filters");
  process.env.DATABASE_URL = db.url;
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-api-filters-"));
  await writeLogEvents(logsDir, PLANS.flatMap(sessionEvents));
  expect((await runPass(db.url, logsDir)).sessionsRecomputed).toBe(PLANS.length);
  readKey = (await createApiKey({ siteId: DEFAULT_SITE_ID, name: "filters-test read", scopes: ["read"] })).secret;
  app = await startApp({ name: "api-filters", env: { DATABASE_URL: db.url, AUTH_SECRET: authSecret, LOG_LEVEL: "warn" } });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await closeCoreConnections();
  await db?.drop();
  if (logsDir) await rm(logsDir, { recursive: true, force: true });
});

async function get<T>(route: string, query: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${app.url}${route}?${query}`, { headers: { authorization: `Bearer ${readKey}` } });
  return { status: res.status, body: (await res.json()) as T };
}
const filters = (...triples: [string, string, string][]) => `filters=${encodeURIComponent(JSON.stringify(triples))}`;
const report = async (query: string) => (await get<AnalyticsReport>("/api/analytics", `${range}&${query}`)).body;
const breakdown = async (dimension: string, query = "") =>
  (await get<BreakdownReport>("/api/analytics/breakdown", `${range}&dimension=${dimension}&${query}`)).body.rows;

describe("the ETL keeps each session's dimensions", () => {
  it("those of its first event that carries any, its entry and exit pages, and its custom events", async () => {
    const rows = await queryRows(
      db.url,
      "SELECT session_id, channel, device, country, entry_page, exit_page FROM session_facts ORDER BY session_id",
    );
    expect(rows).toEqual([
      { session_id: "s0", channel: "Organic Search", device: "mobile", country: "DE", entry_page: "/", exit_page: "/pricing" },
      { session_id: "s1", channel: "Organic Search", device: "mobile", country: "DE", entry_page: "/pricing", exit_page: "/pricing" },
      { session_id: "s2", channel: "Organic Search", device: "mobile", country: "DE", entry_page: "/", exit_page: "/pricing" },
      { session_id: "s3", channel: "Organic Search", device: "desktop", country: "FR", entry_page: "/", exit_page: "/" },
      { session_id: "s4", channel: "Organic Search", device: "desktop", country: "FR", entry_page: "/docs", exit_page: "/" },
      { session_id: "s5", channel: "Email", device: "desktop", country: "DE", entry_page: "/blog/launch", exit_page: "/pricing" },
      { session_id: "s6", channel: "Direct", device: "unknown", country: "unknown", entry_page: "/", exit_page: "/" },
    ]);
    expect(await queryRows(db.url, "SELECT event_type, sum(count)::int AS n FROM event_facts GROUP BY 1")).toEqual([
      { event_type: "signup", n: 3 },
    ]);
  });
});

describe("GET /api/analytics?filters=", () => {
  it("a session dimension narrows every figure to its sessions", async () => {
    const search = await report(filters(["channel", "is", "Organic Search"]));
    // s0–s4: 5 sessions, 5 users, 1+2… page views 2+1+3+1+2 = 9, bounces s1 and s3.
    expect(search.summary).toMatchObject({ sessions: 5, users: 5, page_views: 9 });
    expect(search.session_metrics).toEqual([
      expect.objectContaining({ date: DAY, total_sessions: 5, total_page_views: 9, bounce_rate: 40 }),
    ]);
    expect(Object.fromEntries(search.page_engagement.map((p) => [p.page_path, p.total_visits]))).toEqual({
      "/": 4,
      "/pricing": 3,
      "/docs": 2,
    });
    expect(search.filters).toEqual([["channel", "is", "Organic Search"]]);

    const mobileSearch = await report(filters(["channel", "is", "Organic Search"], ["device", "is", "mobile"]));
    expect(mobileSearch.summary).toMatchObject({ sessions: 3, users: 3, page_views: 6 });
    const notMobile = await report(filters(["device", "is_not", "mobile"]));
    expect(notMobile.summary).toMatchObject({ sessions: 4, page_views: 6 }); // s3 s4 s5 s6
    const contains = await report(filters(["referrer", "contains", "GOOGLE"]));
    expect(contains.summary.sessions).toBe(5);
    const unknown = await report(filters(["country", "is", "unknown"]));
    expect(unknown.summary).toMatchObject({ sessions: 1, page_views: 1 }); // s6
  });

  it("a page filter keeps the sessions that viewed it and, in page lists, that page only", async () => {
    const pricing = await report(filters(["page", "is", "/pricing"]));
    expect(pricing.summary).toMatchObject({ sessions: 4, page_views: 8 }); // s0 s1 s2 s5: 2+1+3+2
    expect(pricing.page_engagement.map((p) => [p.page_path, p.total_visits])).toEqual([["/pricing", 4]]);
    const noPricing = await report(filters(["page", "is_not", "/pricing"]));
    expect(noPricing.summary.sessions).toBe(3); // s3 s4 s6
    expect(noPricing.page_engagement.map((p) => p.page_path).sort()).toEqual(["/", "/docs"]);
  });

  it("an event filter keeps the sessions that sent it", async () => {
    const signups = await report(filters(["event", "is", "signup"]));
    expect(signups.summary).toMatchObject({ sessions: 3, page_views: 6 }); // s0 s4 s5
    expect((await report(filters(["event", "is", "signup"], ["channel", "is", "Email"]))).summary.sessions).toBe(1);
  });

  it("no filters, or an empty list, is the unfiltered report", async () => {
    const plain = await report("");
    expect(plain.summary).toMatchObject({ sessions: 7, users: 7, page_views: 12 });
    expect(plain.filters).toBeUndefined();
    expect(await report("filters=%5B%5D")).toEqual(plain);
  });

  it("400 naming what is wrong: unknown dimension or operator, not JSON, not triples, too many, a bad value", async () => {
    const cases: Array<[string, string, RegExp]> = [
      [filters(["colour", "is", "red"]), "filters.0.0", /unknown dimension "colour"; dimensions are channel, referrer/],
      [filters(["device", "equals", "mobile"]), "filters.0.1", /unknown operator "equals"; operators are is, is_not, contains/],
      ["filters=device%3Dmobile", "filters", /JSON array of \[dimension, operator, value\]/],
      [`filters=${encodeURIComponent('[["device","is"]]')}`, "filters.0", /each filter is \[dimension, operator, value\]/],
      [filters(...Array.from({ length: 11 }, (): [string, string, string] => ["device", "is", "mobile"])), "filters", /at most 10 filters/],
      [filters(["device", "is", "x".repeat(300)]), "filters.0.2", /at most 256 bytes/],
      [filters(["device", "is", "a\u0000b"]), "filters.0.2", /control characters/],
    ];
    for (const [query, path, message] of cases) {
      const { status, body } = await get<{ error: string; issues: { path: string; message: string }[] }>(
        "/api/analytics",
        `${range}&${query}`,
      );
      expect(status, query).toBe(400);
      expect(body.error).toBe("invalid_query");
      expect(body.issues[0]?.path, query).toBe(path);
      expect(body.issues[0]?.message, query).toMatch(message);
    }
  });
});

describe("GET /api/analytics/breakdown", () => {
  it("one row per value with sessions, users, page views, bounce rate and duration, sorted by sessions", async () => {
    expect(await breakdown("channel")).toEqual([
      { value: "Organic Search", sessions: 5, users: 5, page_views: 9, bounce_rate: 40, avg_duration_seconds: expect.any(Number) },
      { value: "Direct", sessions: 1, users: 1, page_views: 1, bounce_rate: 100, avg_duration_seconds: 60 },
      { value: "Email", sessions: 1, users: 1, page_views: 2, bounce_rate: 0, avg_duration_seconds: 180 },
    ]);
    expect((await breakdown("country")).map((r) => [r.value, r.sessions])).toEqual([
      ["DE", 4],
      ["FR", 2],
      ["unknown", 1],
    ]);
    expect((await breakdown("entry_page")).map((r) => [r.value, r.sessions])).toEqual([
      ["/", 4],
      ["/blog/launch", 1],
      ["/docs", 1],
      ["/pricing", 1],
    ]);
    expect((await breakdown("utm_source")).map((r) => [r.value, r.sessions])).toEqual([
      ["(none)", 6],
      ["newsletter", 1],
    ]);
  });

  it("pages: the sessions that viewed each page and its views; events: the sessions and the count", async () => {
    expect((await breakdown("page")).map((r) => [r.value, r.sessions, r.page_views])).toEqual([
      ["/", 5, 5],
      ["/pricing", 4, 4],
      ["/docs", 2, 2],
      ["/blog/launch", 1, 1],
    ]);
    expect(await breakdown("event")).toEqual([
      { value: "signup", sessions: 3, users: 3, page_views: 6, events: 3, bounce_rate: 0, avg_duration_seconds: expect.any(Number) },
    ]);
  });

  it("under filters, the same numbers the filtered report has", async () => {
    const f = filters(["channel", "is", "Organic Search"], ["device", "is", "mobile"]);
    const rows = await breakdown("browser", f);
    const filtered = await report(f);
    expect(rows).toEqual([
      expect.objectContaining({ value: "Chrome", sessions: filtered.summary.sessions, page_views: filtered.summary.page_views }),
    ]);
    expect((await breakdown("page", filters(["page", "contains", "pric"]))).map((r) => r.value)).toEqual(["/pricing"]);
  });

  it("400 for a missing or unknown dimension, naming those there are", async () => {
    for (const query of ["", "dimension=colour"]) {
      const { status, body } = await get<{ issues: { path: string; message: string }[] }>("/api/analytics/breakdown", `${range}&${query}`);
      expect(status).toBe(400);
      expect(body.issues[0]).toMatchObject({
        path: "dimension",
        message: expect.stringMatching(/dimensions are channel, referrer, utm_source/),
      });
    }
  });

  it("the dashboard's tRPC procedures give the same numbers", async () => {
    const cookie = await sessionCookie(authSecret);
    const trpc = async <T>(name: string, input: object): Promise<T> => {
      const encoded = encodeURIComponent(JSON.stringify(superjson.serialize({ siteId: DEFAULT_SITE_ID, from: DAY, to: DAY, ...input })));
      const res = await fetch(`${app.url}/api/trpc/${name}?input=${encoded}`, { headers: { cookie } });
      expect(res.status, name).toBe(200);
      return superjson.deserialize<T>(((await res.json()) as { result: { data: never } }).result.data);
    };
    const triples: [string, string, string][] = [["channel", "is", "Organic Search"]];
    const viaTrpc = await trpc<AnalyticsReport>("analytics.report", { filters: triples });
    expect(viaTrpc.summary).toEqual((await report(filters(...triples))).summary);
    const rows = await trpc<BreakdownReport>("analytics.breakdown", { dimension: "device", filters: triples });
    expect(rows.rows).toEqual(await breakdown("device", filters(...triples)));
  });
});
