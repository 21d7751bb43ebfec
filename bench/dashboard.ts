/**
 * npm run bench:dashboard [-- --events 1000000 --sites 1 --days 90 --requests 200 --concurrency 10 --keep]
 *
 * Loads N events' worth of aggregates (default 1,000,000 events of realistic sessions over 90 days,
 * split evenly over --sites sites, generated as JSON Lines and run through the real ETL pass) into a
 * database of its own, starts the
 * web app (as production runs it) on it, signs in as a dashboard user, and measures for the last 7 and the
 * last 90 days:
 *   - the dashboard's main tRPC query, analytics.report (what the dashboard page loads and refreshes);
 *   - GET /api/analytics with a read-scoped API key (docs/api.md, the API's default of 100 rows per list).
 * Prints p50/p95/p99 latency of sequential requests, then p50/p95 and requests/s with N concurrent ones.
 * Then, uncached (the first request after an ETL pass, in process on the same database: before
 * each run a real pass writes one new session and the caches are emptied), the report unfiltered
 * and with two filters (the most common channel and device of the data), and the dashboard's five
 * breakdown panels with the same two filters. PULSE_ANALYTICS_ENGINE=postgres measures the
 * queries on PostgreSQL instead of the columnar copy (docs/dashboard-store.md).
 * `--events 1000000,10000000` runs each size in turn (a database and app each) and prints how the
 * uncached times grow from the first size to the last.
 * BENCH_COLD_RUNS (default 50) sets the number of uncached runs.
 * Aim: p95 under 100 ms at 1M and under 300 ms at 10M events over 90 days, filtered or not.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import superjson from "superjson";
import { freePort, startApp } from "../test/support/app";
import { datasetEvents, LogWriter } from "../test/support/dataset";
import { createTestDatabase } from "../test/support/db";
import { signInCookie } from "../test/support/signIn";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" }, // one size, or several separated by commas
    sites: { type: "string", default: "1" },
    days: { type: "string", default: "90" },
    requests: { type: "string", default: "200" },
    concurrency: { type: "string", default: "10" },
    keep: { type: "boolean", default: false },
  },
});
const SIZES = values.events.split(",").map((n) => Number(n.trim()));
const SITES = Math.max(1, Number(values.sites));
const DAYS = Number(values.days);
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const ROOT = path.resolve(import.meta.dirname, "..");
const DAY_MS = 86_400_000;
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 50);
const ADMIN = { email: "bench@pulse.local", password: `bench-${randomBytes(8).toString("hex")}` };

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The sites the events belong to: the default site (the migration made it) and more when asked for. */
async function createBenchSites(url: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM sites ORDER BY created_at LIMIT 1");
    const ids = [rows[0]!.id];
    for (let i = 1; i < count; i++) {
      const created = await client.query<{ id: string }>(
        "INSERT INTO sites (id, name, hostnames, updated_at) VALUES (gen_random_uuid(), $1, '{}', now()) RETURNING id",
        [`bench site ${i + 1}`],
      );
      ids.push(created.rows[0]!.id);
    }
    return ids;
  } finally {
    await client.end();
  }
}

/** BENCH_PORT, or a free port of BENCH_PORT_RANGE (e.g. "3320-3399"), or one the OS hands out. */
async function pickPort(): Promise<number> {
  if (process.env.BENCH_PORT) return Number(process.env.BENCH_PORT);
  return freePort(process.env.BENCH_PORT_RANGE, "BENCH_PORT_RANGE");
}

interface Stats {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  rps?: number;
}

function stats(samples: number[], wallMs?: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    rps: wallMs ? (samples.length / wallMs) * 1000 : undefined,
  };
}

async function timed(fetcher: () => Promise<Response>): Promise<{ ms: number; body: unknown }> {
  const t = performance.now();
  const res = await fetcher();
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
  return { ms, body: JSON.parse(text) };
}

async function sequential(fetcher: () => Promise<Response>, n: number): Promise<Stats> {
  for (let i = 0; i < 10; i++) await timed(fetcher); // warm-up: JIT, connection pools, PostgreSQL caches
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push((await timed(fetcher)).ms);
  return stats(samples);
}

async function concurrent(fetcher: () => Promise<Response>, n: number, concurrency: number): Promise<Stats> {
  const samples: number[] = [];
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) samples.push((await timed(fetcher)).ms);
    }),
  );
  return stats(samples, performance.now() - t);
}

/** Uncached timings of one size, by row label, for the growth table at the end. */
type Uncached = Map<string, Stats>;

async function benchAt(EVENTS: number): Promise<Uncached> {
  const logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-bench-dash-"));
  const db = await createTestDatabase(`bench_dash_${EVENTS}`);
  let stopApp: (() => Promise<void>) | undefined;
  const out: Uncached = new Map();
  try {
    console.log(`\n=== ${EVENTS.toLocaleString()} events ===`);
    // 1. Sites, then events → JSON Lines → one real ETL pass into the bench database.
    const siteIds = await createBenchSites(db.url, SITES);
    const end = Date.now() - 2 * 3_600_000;
    let t = performance.now();
    const writer = new LogWriter(logsDir);
    for (const [i, siteId] of siteIds.entries()) {
      for (const event of datasetEvents({
        events: Math.round(EVENTS / SITES),
        days: DAYS,
        endMs: end,
        seed: 7 + i,
        duplicateRate: 0.005,
        clickWithoutPageRate: 0.05,
        siteId,
      })) {
        writer.add(event);
      }
    }
    writer.flush();
    console.log(
      `generated ${writer.events.toLocaleString()} events over ${DAYS} days for ${SITES} site(s) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = performance.now();
    const pass = JSON.parse(
      execFileSync(path.join(ROOT, "node_modules/.bin/tsx"), ["bench/etl-child.ts", "pass", logsDir], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url, LOGS_DIR: logsDir, LOG_LEVEL: "warn" },
        encoding: "utf8",
      })
        .trim()
        .split("\n")
        .at(-1)!,
    ) as { eventsRead: number; sessions: number; rows: number };
    console.log(
      `ETL pass: ${pass.eventsRead.toLocaleString()} events, ${pass.sessions.toLocaleString()} sessions, ${pass.rows.toLocaleString()} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const counts = (
      await client.query(`SELECT
      (SELECT count(*) FROM session_facts) AS session_facts, (SELECT count(*) FROM page_visit_facts) AS page_visit_facts,
      (SELECT count(*) FROM click_facts) AS click_facts, (SELECT count(*) FROM session_metrics) AS session_metrics,
      (SELECT count(*) FROM page_engagement) AS page_engagement, (SELECT count(*) FROM click_through_rates) AS click_through_rates`)
    ).rows[0] as Record<string, string>;
    await client.end();
    console.log(
      `rows: ${Object.entries(counts)
        .map(([k, v]) => `${k} ${Number(v).toLocaleString()}`)
        .join(", ")}`,
    );

    // 2. A dashboard user and a read key in the bench database (this process's config points there from now on).
    process.env.DATABASE_URL = db.url;
    (await import("../src/core/config")).reloadConfig();
    const { upsertUserWithPassword } = await import("../src/core/db/users");
    const { createApiKey } = await import("../src/core/db/apiKeys");
    const { closePrisma } = await import("../src/core/db/client");
    await upsertUserWithPassword(ADMIN.email, ADMIN.password);
    const readKeys = await Promise.all(
      siteIds.map(async (siteId) => (await createApiKey({ siteId, name: "bench:dashboard", scopes: ["read"] })).secret),
    );
    await closePrisma();

    // 3. The app on that database.
    t = performance.now();
    const app = await startApp({
      name: "bench-dashboard",
      port: await pickPort(),
      distDir: process.env.NEXT_DIST_DIR ?? ".next-bench",
      env: { DATABASE_URL: db.url, AUTH_SECRET: randomBytes(32).toString("hex"), LOG_LEVEL: "warn" },
      readyTimeoutMs: 120_000,
    });
    stopApp = () => app.stop();
    console.log(`app ready on ${app.url} (${((performance.now() - t) / 1000).toFixed(1)} s incl. build if needed)`);
    const cookie = await signInCookie(app.url, ADMIN.email, ADMIN.password);

    const today = Date.now();
    const ranges = [
      { label: "7 days", from: isoDate(today - 6 * DAY_MS), to: isoDate(today) },
      { label: "90 days", from: isoDate(today - 89 * DAY_MS), to: isoDate(today) },
    ];
    // Requests go round the sites, so every site's data is asked for (and its cache entries filled).
    let turn = 0;
    const nextSite = () => turn++ % SITES;
    const trpc = (r: { from: string; to: string }) => () => {
      const siteId = siteIds[nextSite()]!;
      const input = encodeURIComponent(JSON.stringify(superjson.serialize({ siteId, from: r.from, to: r.to })));
      return fetch(`${app.url}/api/trpc/analytics.report?input=${input}`, { headers: { cookie } });
    };
    const rest = (r: { from: string; to: string }) => () =>
      fetch(`${app.url}/api/analytics?from=${r.from}&to=${r.to}`, { headers: { authorization: `Bearer ${readKeys[nextSite()]}` } });

    // Same numbers from both (the router is thin over the same data layer), for the same site.
    for (const r of ranges) {
      turn = 0;
      const a = (await timed(trpc(r))).body as { result: { data: { json: { summary: unknown } } } };
      turn = 0;
      const b = (await timed(rest(r))).body as { summary: unknown };
      if (JSON.stringify(a.result.data.json.summary) !== JSON.stringify(b.summary)) {
        throw new Error(
          `tRPC and REST disagree for ${r.label}: ${JSON.stringify(a.result.data.json.summary)} vs ${JSON.stringify(b.summary)}`,
        );
      }
      console.log(`${r.label.padEnd(8)} summary ${JSON.stringify(b.summary)}`);
    }

    const fmt = (n: number) => n.toFixed(1).padStart(7);
    console.log(`\n${REQUESTS} sequential requests each (after 10 warm-up), then ${REQUESTS} with ${CONCURRENCY} concurrent; milliseconds`);
    console.log("query                                   range     p50     p95     p99    mean | conc p50  conc p95    req/s");
    for (const r of ranges) {
      for (const [name, fetcher] of [
        ["tRPC analytics.report (dashboard)", trpc(r)],
        ["GET /api/analytics (read key)", rest(r)],
      ] as const) {
        const s = await sequential(fetcher, REQUESTS);
        const c = await concurrent(fetcher, REQUESTS, CONCURRENCY);
        console.log(
          `${name.padEnd(39)} ${r.label.padEnd(7)} ${fmt(s.p50)} ${fmt(s.p95)} ${fmt(s.p99)} ${fmt(s.mean)} | ${fmt(c.p50)}   ${fmt(c.p95)} ${c.rps!.toFixed(0).padStart(8)}`,
        );
      }
    }

    // Reports are cached per ETL pass (the numbers only change when a pass commits), so the
    // requests above mostly hit the cache. The first request after each pass runs the queries:
    // measured here in-process, with no cache, on the same database (the dashboard's limit of 25).
    const { getAnalyticsReport, getBreakdown, clearReportCaches, closeFactStore, factStoreVersion } =
      await import("../src/core/db/analytics");
    const { runPass, storedEvent, writeLogEvents } = await import("../test/support/etl");
    const engine = () => (factStoreVersion() === null ? "engine postgres" : "engine duckdb (columnar copy)");
    const { PANELS } = await import("../src/core/dimensions/registry");
    const filters = await commonFilters(db.url);
    console.log(`two filters: ${JSON.stringify(filters.map((f) => [f.dimension, f.operator, f.value]))}`);
    // The dashboard's panels open on each panel's first tab.
    const panelDims = PANELS.map((p) => p.dimensions[0]!);
    const cases = [
      ["report, unfiltered", (siteId: string, r: { from: string; to: string }) => getAnalyticsReport(siteId, r, { limit: 25 })],
      ["report, two filters", (siteId: string, r: { from: string; to: string }) => getAnalyticsReport(siteId, r, { limit: 25, filters })],
      [
        "5 panels, two filters",
        (siteId: string, r: { from: string; to: string }) =>
          Promise.all(panelDims.map((d) => getBreakdown(siteId, r, d, { limit: 10, filters }))),
      ],
    ] as const;
    // The copy of the facts the queries run on (docs/dashboard-store.md) is loaded on first use.
    t = performance.now();
    await getAnalyticsReport(siteIds[0]!, ranges[0]!, { limit: 25 });
    console.log(
      `${engine()}: first report in ${((performance.now() - t) / 1000).toFixed(1)} s (loads the copy of the facts), RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
    );
    // Before each timed run, one new session of today goes through a real ETL pass (not timed) and
    // the caches are emptied: the request pays for bringing the copy up to date and for its queries.
    let fresh = 0;
    const afterPass = async () => {
      const at = new Date(Date.now() - 60_000).toISOString();
      const id = `bench-fresh-${fresh++}`;
      const siteId = siteIds[fresh % SITES]!;
      await writeLogEvents(logsDir, [
        storedEvent(at, { site_id: siteId, event_type: "page_visited", user_id: id, session_id: id, page_path: "/" }),
      ]);
      await runPass(db.url, logsDir);
      clearReportCaches();
    };
    const coldRuns = async (
      r: { from: string; to: string },
      run: (siteId: string, r: { from: string; to: string }) => Promise<unknown>,
    ) => {
      const samples: number[] = [];
      for (let i = -3; i < COLD_RUNS; i++) {
        await afterPass();
        const started = performance.now();
        await run(siteIds[nextSite()]!, r);
        if (i >= 0) samples.push(performance.now() - started); // the first three warm up
      }
      return stats(samples);
    };
    console.log(`\nuncached (the first request after an ETL pass), ${COLD_RUNS} sequential runs; milliseconds`);
    for (const r of ranges) {
      for (const [name, run] of cases) {
        const s = await coldRuns(r, run);
        out.set(`${name} ${r.label}`, s);
        console.log(`${name.padEnd(39)} ${r.label.padEnd(7)} ${fmt(s.p50)} ${fmt(s.p95)} ${fmt(s.p99)} ${fmt(s.mean)}`);
      }
    }
    console.log(`RSS after the runs ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
    await closeFactStore();
    await closePrisma();
  } finally {
    await stopApp?.();
    if (!values.keep) {
      await db.drop();
      await rm(logsDir, { recursive: true, force: true });
    } else {
      console.log(`kept database ${db.name} and logs ${logsDir}`);
    }
  }
  return out;
}

/** The most common channel and device of the data: a filter that keeps a real share of it. */
async function commonFilters(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const top = async (column: "channel" | "device") =>
      (await client.query<{ v: string }>(`SELECT ${column} AS v FROM session_facts GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)).rows[0]!
        .v;
    return [
      { dimension: "channel" as const, operator: "is" as const, value: await top("channel") },
      { dimension: "device" as const, operator: "is" as const, value: await top("device") },
    ];
  } finally {
    await client.end();
  }
}

const results: Array<[number, Uncached]> = [];
for (const size of SIZES) results.push([size, await benchAt(size)]);
if (results.length > 1) {
  const [firstSize, first] = results[0]!;
  const [lastSize, last] = results.at(-1)!;
  console.log(
    `\ngrowth of the uncached p95 from ${firstSize.toLocaleString()} to ${lastSize.toLocaleString()} events (${(lastSize / firstSize).toFixed(0)}× the data)`,
  );
  for (const [label, s] of first) {
    const l = last.get(label)!;
    console.log(
      `${label.padEnd(47)} ${s.p95.toFixed(1).padStart(7)} → ${l.p95.toFixed(1).padStart(7)} ms  (${(l.p95 / s.p95).toFixed(1)}×)`,
    );
  }
}
console.log("\naim: uncached p95 under 100 ms at 1M events and under 300 ms at 10M (90 days), filtered or not");
