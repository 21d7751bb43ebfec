/**
 * The exports against the real web server (docs/exports.md). GET /api/export/events over real
 * logs: a million events stream out byte for byte and once each, memory stays flat, a client that
 * goes away frees the files, CSV cells cannot run as formulas, and a filtered export holds the
 * sessions the dashboard counts. GET /api/export/panel and /panels: each panel's CSV has the API's
 * numbers for three ranges, with and without filters. GET /api/export/file: a raw export prepared
 * by a job (started over tRPC, run by the exports worker's own code in this process) downloads for
 * readers of its site only, and is a 404 while unfinished, once expired, or for any other id.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, readlink, rm, appendFile, mkdtemp, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { strFromU8, unzipSync } from "fflate";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "@/core/config";
import { createApiKey, revokeApiKey } from "@/core/db/apiKeys";
import { createSite } from "@/core/db/sites";
import type { AnalyticsReport, BreakdownReport } from "@/core/analytics/types";
import { DIMENSIONS } from "@/core/dimensions/registry";
import { deleteOldExports } from "@/core/export/file";
import { ALL_PANELS } from "@/core/export/panels";
import type { StoredEvent } from "@/core/events";
import { eventLogPath } from "@/core/logs/paths";
import { dateIn } from "@/core/metrics/dates";
import { EXPORTS_QUEUE, getExportsQueue, RAW_EXPORT_JOB, type RawExportResult } from "@/core/queues/exports";
import { startExports } from "../../../workers/etl/exports";
import { REPO_ROOT, startApp, type RunningApp } from "../../support/app";
import { writeDataset } from "../../support/dataset";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { runPass, storedEvent, writeLogEvents } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";
import { memberSession, type TestMember } from "../../support/session";
import { emptyQueue } from "../../support/worker";

const run = promisify(execFile);
const BIG_EVENTS = 1_000_000;
const END = Date.parse("2026-06-01T00:00:00Z");
/** Seven of the big site's ten days, in its zone (America/New_York). */
const RANGE = { from: "2026-05-24", to: "2026-05-30" };
const HYPERLINK = '=HYPERLINK("http://evil.example","click")';

let db: TestDatabase;
let logsDir: string;
/** exports.dir of the app and of the exports worker run here. */
let exportsDir: string;
let app: RunningApp;
/** A viewer of the small site, signed in to the dashboard. */
let viewer: TestMember;
const authSecret = randomBytes(32).toString("hex");
let big: { id: string; key: string };
let small: { id: string; key: string };

beforeAll(async () => {
  db = await createTestDatabase("export_raw");
  process.env.DATABASE_URL = db.url; // before the first getConfig(), so sites and keys go there
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-export-raw-"));
  exportsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-export-files-"));
  // The exports worker runs in this process (getConfig()): the same logs and exports dir as the app.
  process.env.LOGS_DIR = logsDir;
  process.env.PULSE_EXPORTS_DIR = exportsDir;
  await emptyQueue(getConfig().redis.url, EXPORTS_QUEUE);

  // The small site goes through the ETL (filters need its sessions); the big one only has logs.
  const smallSite = await createSite({ name: "small.example", timeZone: "Europe/Berlin" });
  writeDataset(logsDir, { events: 5_000, days: 3, endMs: END, seed: 11, siteId: smallSite.id, sessionIdPrefix: "small" });
  await writeLogEvents(logsDir, [
    storedEvent("2026-05-30T12:00:00.000Z", {
      site_id: smallSite.id,
      event_type: "page_visited",
      user_id: "+1",
      session_id: "evil",
      page_path: HYPERLINK,
    }),
  ]);
  await runPass(db.url, logsDir);
  const bigSite = await createSite({ name: "big.example", timeZone: "America/New_York" });
  writeDataset(logsDir, { events: BIG_EVENTS, days: 10, endMs: END, seed: 12, siteId: bigSite.id, duplicateRate: 0.01 });
  // Lines that are not events (the ETL sets them aside): never exported.
  await appendFile(eventLogPath(logsDir, bigSite.id, "2026-05-26T15:00:00.000Z"), 'not json\n{"event_type":"page_visited"}\n');

  const key = async (siteId: string) => (await createApiKey({ siteId, name: "export test", scopes: ["read"] })).secret;
  big = { id: bigSite.id, key: await key(bigSite.id) };
  small = { id: smallSite.id, key: await key(smallSite.id) };
  viewer = await memberSession(authSecret, "viewer@small.example", [{ siteId: smallSite.id, role: "viewer" }]);
  app = await startApp({
    name: "export-raw",
    env: { DATABASE_URL: db.url, LOGS_DIR: logsDir, PULSE_EXPORTS_DIR: exportsDir, AUTH_SECRET: authSecret, LOG_LEVEL: "warn" },
  });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await emptyQueue(getConfig().redis.url, EXPORTS_QUEUE).catch(() => undefined);
  await getExportsQueue().close();
  await closeCoreConnections();
  await db?.drop();
  if (logsDir) await rm(logsDir, { recursive: true, force: true });
  if (exportsDir) await rm(exportsDir, { recursive: true, force: true });
});

const exportUrl = (query: Record<string, string>) => `${app.url}/api/export/events?${new URLSearchParams(query)}`;
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

async function download(query: Record<string, string>, key: string): Promise<string> {
  const res = await fetch(exportUrl(query), { headers: auth(key) });
  expect(
    res.status,
    await res
      .clone()
      .text()
      .catch(() => ""),
  ).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/gzip");
  return gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8");
}

/** Every events file of a site, whatever its name. */
async function siteFiles(siteId: string): Promise<string[]> {
  const root = path.join(logsDir, "events", siteId);
  return (await readdir(root, { recursive: true })).filter((f) => f.endsWith(".jsonl")).map((f) => path.join(root, f));
}

/** An order-free fingerprint of a list of lines: the sum of their hashes (and how many). */
function fingerprint(lines: Iterable<string>): { count: number; sum: bigint } {
  let sum = 0n;
  let count = 0;
  for (const line of lines) {
    sum = (sum + createHash("sha256").update(line).digest().readBigUInt64BE(0)) % 2n ** 64n;
    count++;
  }
  return { count, sum };
}

async function rssKb(pid: number): Promise<number> {
  return Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8"))![1]);
}

describe("GET /api/export/events", () => {
  it(`NDJSON of ${BIG_EVENTS.toLocaleString("en-US")} events: every event of the range once, byte for byte; memory stays flat`, async () => {
    // What the export must hold, from the files themselves: valid lines whose date in the site's
    // zone is in the range, the first line of each event_id.
    const dateOf = dateIn("America/New_York");
    const ids = new Set<string>();
    const expected: string[] = [];
    for (const file of await siteFiles(big.id)) {
      for (const line of (await readFile(file, "utf8")).split("\n")) {
        let event: StoredEvent;
        try {
          event = JSON.parse(line) as StoredEvent;
        } catch {
          continue;
        }
        if (!event.event_id || ids.has(event.event_id)) continue;
        const date = dateOf(Date.parse(event.event_time));
        if (date < RANGE.from || date > RANGE.to) continue;
        ids.add(event.event_id);
        expected.push(line);
      }
    }
    expect(expected.length).toBeGreaterThan(600_000);

    const before = await rssKb(app.pid);
    let peak = before;
    const sampler = setInterval(() => void rssKb(app.pid).then((kb) => (peak = Math.max(peak, kb))), 50);
    const started = Date.now();
    const text = await download({ ...RANGE, format: "ndjson" }, big.key);
    clearInterval(sampler);
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    expect(fingerprint(lines)).toEqual(fingerprint(expected));
    console.info(
      `exported ${lines.length} events (${(text.length / 1e6).toFixed(0)} MB) in ${Date.now() - started} ms; ` +
        `web server RSS ${(before / 1024).toFixed(0)} MB before, ${(peak / 1024).toFixed(0)} MB at most during the export`,
    );

    // The export's own memory, in a process doing nothing else (the same code, bench/export-child.ts).
    const { stdout } = await run(
      path.join(REPO_ROOT, "node_modules/.bin/tsx"),
      ["bench/export-child.ts", logsDir, big.id, RANGE.from, RANGE.to, "ndjson", "/dev/null", "America/New_York"],
      { cwd: REPO_ROOT },
    );
    const child = JSON.parse(stdout.trim().split("\n").at(-1)!) as { events: number; invalid: number; peakRssMb: number };
    console.info(`export in its own process: ${JSON.stringify(child)}`);
    expect(child.events).toBe(expected.length);
    expect(child.invalid).toBe(2);
    expect(child.peakRssMb).toBeLessThan(200);
  });

  it("a client that goes away mid-export frees the files it was reading", async () => {
    const openLogFiles = async () => {
      const fds = await readdir(`/proc/${app.pid}/fd`);
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${app.pid}/fd/${fd}`).catch(() => "")));
      return targets.filter((t) => t.startsWith(logsDir)).length;
    };
    const controller = new AbortController();
    const res = await fetch(exportUrl({ from: "2026-05-22", to: "2026-05-31" }), { headers: auth(big.key), signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    expect(await openLogFiles()).toBeGreaterThan(0);
    controller.abort();
    const deadline = Date.now() + 10_000;
    while ((await openLogFiles()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await openLogFiles()).toBe(0);
    await expect.poll(() => app.output().includes("raw export stopped before its end"), { timeout: 10_000 }).toBe(true);
  });

  it("CSV: one column per field and dimension, and a cell that would run as a formula is escaped", async () => {
    const text = await download({ from: "2026-05-29", to: "2026-05-31", format: "csv" }, small.key);
    const [header, ...rows] = text.trimEnd().split("\r\n");
    expect(header!.split(",").slice(0, 8)).toEqual([
      "event_id",
      "event_time",
      "event_type",
      "site_id",
      "user_id",
      "session_id",
      "page_path",
      "button_id",
    ]);
    expect(header).toContain(",device,");
    const evil = rows.find((r) => r.includes(",evil,"))!;
    expect(evil).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(evil).toContain(",'+1,");
    expect(rows.length).toBeGreaterThan(1_000);
  });

  it("filters keep the sessions the dashboard counts: every event of the mobile sessions in range", async () => {
    const filters = JSON.stringify([["device", "is", "mobile"]]);
    const text = await download({ from: "2026-05-29", to: "2026-05-31", filters }, small.key);
    const exported = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as StoredEvent);
    // From the logs: a session's device is that of its first event carrying dimensions.
    const dateOf = dateIn("Europe/Berlin");
    const firstDims = new Map<string, string | undefined>();
    const inRange: StoredEvent[] = [];
    const all = (await Promise.all((await siteFiles(small.id)).map((f) => readFile(f, "utf8"))))
      .flatMap((t) => t.split("\n").filter(Boolean))
      .map((l) => JSON.parse(l) as StoredEvent)
      .sort((a, b) => a.event_time.localeCompare(b.event_time));
    const seen = new Set<string>();
    for (const e of all) {
      if (e.dims && Object.keys(e.dims).length > 0 && !firstDims.has(e.session_id)) firstDims.set(e.session_id, e.dims.device);
      const date = dateOf(Date.parse(e.event_time));
      if (date >= "2026-05-29" && date <= "2026-05-31" && !seen.has(e.event_id)) {
        seen.add(e.event_id);
        inRange.push(e);
      }
    }
    const mobile = inRange.filter((e) => firstDims.get(e.session_id) === "mobile");
    expect(mobile.length).toBeGreaterThan(100);
    expect(exported.map((e) => e.event_id).sort()).toEqual(mobile.map((e) => e.event_id).sort());
  });

  it("refuses what it cannot answer, with the parameter named", async () => {
    const get = (query: Record<string, string>, headers: Record<string, string> = auth(small.key)) => fetch(exportUrl(query), { headers });
    expect((await get({ format: "xml" })).status).toBe(400);
    const unknown = await get({ filters: JSON.stringify([["planet", "is", "mars"]]) });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain("unknown dimension");
    expect((await get({ site: big.id })).status).toBe(403);
    expect((await get({}, {})).status).toBe(401);
  });
});

describe("GET /api/export/panel and /api/export/panels", () => {
  const RANGES = [
    { from: "2026-05-29", to: "2026-05-29" },
    { from: "2026-05-29", to: "2026-05-31" },
    { from: "2026-05-01", to: "2026-06-30" },
  ];
  const FILTER_SETS = [
    undefined,
    JSON.stringify([["device", "is", "mobile"]]),
    JSON.stringify([
      ["channel", "is_not", "Direct"],
      ["country", "is", "US"],
    ]),
  ];

  async function getJson<T>(route: string, query: Record<string, string>): Promise<T> {
    const res = await fetch(`${app.url}${route}?${new URLSearchParams(query)}`, { headers: auth(small.key) });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }
  async function panelRows(query: Record<string, string>): Promise<Record<string, string>[]> {
    const res = await fetch(`${app.url}/api/export/panel?${new URLSearchParams(query)}`, { headers: auth(small.key) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    return parse(await res.text(), { columns: true }) as Record<string, string>[];
  }
  const num = (v: string | undefined) => (v === "" || v === undefined ? null : Number(v));

  it("each panel's CSV has the API's numbers, for three ranges with and without filters", async () => {
    let rowsCompared = 0;
    for (const range of RANGES) {
      for (const filters of FILTER_SETS) {
        const query = { ...range, ...(filters ? { filters } : {}) };
        const report = await getJson<AnalyticsReport>("/api/analytics", query);
        const [summary] = await panelRows({ ...query, panel: "summary" });
        expect({ sessions: num(summary!.sessions), users: num(summary!.users), page_views: num(summary!.page_views) }).toEqual({
          sessions: report.summary.sessions,
          users: report.summary.users,
          page_views: report.summary.page_views,
        });
        expect(num(summary!.avg_duration_seconds)).toBe(report.summary.avg_duration_seconds);
        const daily = await panelRows({ ...query, panel: "daily" });
        expect(daily.map((r) => [r.date, num(r.sessions), num(r.users), num(r.page_views), num(r.bounce_rate)])).toEqual(
          report.session_metrics.map((r) => [r.date, r.total_sessions, r.unique_users, r.total_page_views, r.bounce_rate]),
        );
        const pages = await panelRows({ ...query, panel: "pages" });
        expect(pages.map((r) => [r.page_path, num(r.visits), num(r.users), num(r.avg_time_spent_seconds)])).toEqual(
          report.page_engagement.map((r) => [guarded(r.page_path), r.total_visits, r.unique_users, r.avg_time_spent_seconds]),
        );
        const clicks = await panelRows({ ...query, panel: "clicks" });
        expect(clicks.map((r) => [r.page_path, r.button_id, num(r.clicks), num(r.views), num(r.ctr)])).toEqual(
          report.click_through_rates.map((r) => [guarded(r.page_path), guarded(r.button_id), r.clicks, r.views, r.ctr]),
        );
        rowsCompared += daily.length + pages.length + clicks.length;
        for (const dimension of DIMENSIONS) {
          const breakdown = await getJson<BreakdownReport>("/api/analytics/breakdown", { ...query, dimension: dimension.name });
          const rows = await panelRows({ ...query, panel: `breakdown:${dimension.name}` });
          expect(rows.map((r) => [r[dimension.name], num(r.sessions), num(r.users), num(r.page_views), num(r.bounce_rate)])).toEqual(
            breakdown.rows.map((r) => [guarded(r.value), r.sessions, r.users, r.page_views, r.bounce_rate]),
          );
          rowsCompared += rows.length;
        }
      }
    }
    expect(rowsCompared).toBeGreaterThan(500);
  });

  it("a page path that is a formula comes out escaped; Export all zips every panel's CSV", async () => {
    const query = { from: "2026-05-29", to: "2026-05-31" };
    const pages = await panelRows({ ...query, panel: "pages" });
    expect(pages.map((r) => r.page_path)).toContain(`'${HYPERLINK}`);
    const res = await fetch(`${app.url}/api/export/panels?${new URLSearchParams(query)}`, { headers: auth(small.key) });
    expect(res.headers.get("content-type")).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files)).toHaveLength(ALL_PANELS.length);
    const pagesCsv = Object.entries(files).find(([name]) => name.includes("-pages-"))!;
    expect(parse(strFromU8(pagesCsv[1]), { columns: true })).toEqual(pages);
    const bad = await fetch(`${app.url}/api/export/panel?${new URLSearchParams({ ...query, panel: "weather" })}`, {
      headers: auth(small.key),
    });
    expect(bad.status).toBe(400);
  });
});

/** A value as the CSV writes it: a leading = + - @ gets an apostrophe (src/core/export/csv.ts). */
function guarded(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

describe("GET /api/export/file (a raw export prepared by a job)", () => {
  /** The small site's prepared exports: NDJSON of three days, CSV of one. */
  const NDJSON_RANGE = { from: "2026-05-29", to: "2026-05-31" };
  const CSV_RANGE = { from: "2026-05-30", to: "2026-05-30" };
  const NOT_READY = { error: "not_found", message: "no such export (or not ready)" };
  const EXPIRED = { error: "not_found", message: "this export has expired; prepare it again" };

  interface ExportStatus {
    state: string;
    events: number;
    bytes: number | null;
    error: string | null;
    download: string | null;
  }
  let ndjsonJob: string;
  let csvJob: string;
  let failedJob: string;

  /** A tRPC call as the dashboard makes it, with the viewer's session; the procedure's data. */
  async function trpc<T>(procedure: string, input: Record<string, unknown>, kind: "query" | "mutation"): Promise<T> {
    const body = JSON.stringify(superjson.serialize(input));
    const res =
      kind === "mutation"
        ? await fetch(`${app.url}/api/trpc/${procedure}`, {
            method: "POST",
            headers: { cookie: viewer.cookie, origin: app.url, "content-type": "application/json" },
            body,
          })
        : await fetch(`${app.url}/api/trpc/${procedure}?input=${encodeURIComponent(body)}`, { headers: { cookie: viewer.cookie } });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const { result } = JSON.parse(text) as { result: { data: Parameters<typeof superjson.deserialize>[0] } };
    return superjson.deserialize<T>(result.data);
  }
  const startExport = async (range: { from: string; to: string }, format: "ndjson" | "csv") =>
    (await trpc<{ jobId: string }>("exports.start", { siteId: small.id, ...range, format }, "mutation")).jobId;
  const status = (jobId: string) => trpc<ExportStatus>("exports.status", { siteId: small.id, jobId }, "query");

  const fileUrl = (query: Record<string, string>) => `${app.url}/api/export/file?${new URLSearchParams(query)}`;
  const getFile = (query: Record<string, string>, headers: Record<string, string> = auth(small.key)) =>
    fetch(fileUrl(query), { headers, redirect: "manual" });
  async function expectNotFound(res: Response, body: object, label?: string): Promise<void> {
    const text = await res.text();
    expect(res.status, `${label ?? res.url}: ${text}`).toBe(404);
    expect(res.headers.get("content-type"), label).toMatch(/^application\/json/);
    expect(JSON.parse(text), label).toEqual(body);
  }

  /**
   * Runs the exports worker of the ETL worker process (workers/etl/exports.ts) here, on the app's
   * Redis and exports dir, until the given jobs are completed (or failed, for `failing`).
   */
  async function runExportsWorker(jobIds: string[], failing: string[] = []): Promise<void> {
    const worker = startExports();
    try {
      const deadline = Date.now() + 120_000;
      for (const jobId of [...jobIds, ...failing]) {
        const want = failing.includes(jobId) ? "failed" : "completed";
        for (;;) {
          const s = await status(jobId);
          if (s.state === want) break;
          if (s.state === (want === "failed" ? "completed" : "failed") || Date.now() > deadline)
            throw new Error(`export ${jobId} did not end ${want}: ${JSON.stringify(s)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      await worker.close();
    }
  }

  beforeAll(async () => {
    ndjsonJob = await startExport(NDJSON_RANGE, "ndjson");
    csvJob = await startExport(CSV_RANGE, "csv");
    // What the dashboard cannot ask for (exports.start checks filters): a job whose worker fails.
    const bad = await getExportsQueue().add(RAW_EXPORT_JOB, {
      siteId: small.id,
      timeZone: "Europe/Berlin",
      range: CSV_RANGE,
      format: "ndjson",
      filters: [["planet", "is", "mars"]],
    });
    failedJob = bad.id!;
    expect((await status(ndjsonJob)).state).toBe("waiting");
    await runExportsWorker([ndjsonJob, csvJob], [failedJob]);
  }, 180_000);

  it("a finished export downloads with the site's read key or a viewer's session: gzip, a file name, the range's NDJSON", async () => {
    const done = await status(ndjsonJob);
    expect(done).toMatchObject({ state: "completed", error: null });
    expect(done.download).toBe(`/api/export/file?${new URLSearchParams({ site: small.id, job: ndjsonJob })}`);

    const res = await fetch(`${app.url}${done.download}`, { headers: auth(small.key) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/gzip");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="events-${small.id}-${NDJSON_RANGE.from}-${NDJSON_RANGE.to}.ndjson.gz"`,
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    const gz = Buffer.from(await res.arrayBuffer());
    // The file the worker wrote, as it is on disk.
    expect(gz.length).toBe(done.bytes);
    expect(gz.equals(await readFile(path.join(exportsDir, `${ndjsonJob}.ndjson.gz`)))).toBe(true);
    const text = gunzipSync(gz).toString("utf8");

    // Exactly what the streamed export of the same range has, and as many events as the job counted.
    const streamed = await download({ ...NDJSON_RANGE, format: "ndjson" }, small.key);
    expect(text).toBe(streamed);
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.length).toBe(done.events);
    expect(lines.length).toBeGreaterThan(1_000);
    const events = lines.map((l) => JSON.parse(l) as StoredEvent);
    expect(new Set(events.map((e) => e.site_id))).toEqual(new Set([small.id]));
    const dateOf = dateIn("Europe/Berlin");
    expect(
      events.every((e) => dateOf(Date.parse(e.event_time)) >= NDJSON_RANGE.from && dateOf(Date.parse(e.event_time)) <= NDJSON_RANGE.to),
    ).toBe(true);
    expect(events.some((e) => e.session_id === "evil" && e.page_path === HYPERLINK)).toBe(true);

    // The dashboard's link, with the viewer's session: the same file.
    const bySession = await fetch(`${app.url}${done.download}`, { headers: { cookie: viewer.cookie } });
    expect(bySession.status).toBe(200);
    expect(Buffer.from(await bySession.arrayBuffer()).equals(gz)).toBe(true);
  });

  it("a CSV export is a .csv.gz of the same events as the streamed CSV", async () => {
    const res = await getFile({ site: small.id, job: csvJob });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="events-${small.id}-${CSV_RANGE.from}-${CSV_RANGE.to}.csv.gz"`,
    );
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8")).toBe(
      await download({ ...CSV_RANGE, format: "csv" }, small.key),
    );
  });

  it("another site's reader gets a 404 for the job, and may not ask for this site", async () => {
    await expectNotFound(await getFile({ site: big.id, job: ndjsonJob }, auth(big.key)), NOT_READY);
    await expectNotFound(await getFile({ job: ndjsonJob }, auth(big.key)), NOT_READY);
    // The big site's key naming the small site: refused before any job is looked at.
    const other = await getFile({ site: small.id, job: ndjsonJob }, auth(big.key));
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: "forbidden" });
    // A session may only name a site it has a role on: the big site does not exist for the viewer.
    const session = await getFile({ site: big.id, job: ndjsonJob }, { cookie: viewer.cookie });
    expect(session.status).toBe(404);
    expect(await session.json()).toEqual({ error: "not_found", message: "no such site" });
  });

  it("an id that is no job, malformed or a path is a 404, never a 500 or a file", async () => {
    const ids = [
      String(Number(ndjsonJob) + 1_000_000),
      "0",
      "",
      "../../etc/passwd",
      "..%2F..%2Fetc",
      `../${ndjsonJob}`,
      `${ndjsonJob}/../${ndjsonJob}`,
      `${ndjsonJob}.ndjson.gz`,
      `${ndjsonJob}\u0000`,
      "a".repeat(65),
      ndjsonJob.padStart(65, "0"),
      // Names of the queue's own Redis keys beside the jobs (bull:exports:<name>).
      "id",
      "meta",
      "events",
      "wait",
      "completed",
      "failed",
    ];
    for (const job of ids) await expectNotFound(await getFile({ site: small.id, job }), NOT_READY, JSON.stringify(job));
    await expectNotFound(await getFile({ site: small.id }), NOT_READY, "no job");
    // The same, unencoded in the address as someone might type it.
    for (const raw of ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"]) {
      await expectNotFound(
        await fetch(`${app.url}/api/export/file?site=${small.id}&job=${raw}`, { headers: auth(small.key) }),
        NOT_READY,
        raw,
      );
    }
  });

  it("without credentials it is a 401, with a bad or revoked key a 401, with a key lacking read a 403", async () => {
    const query = { site: small.id, job: ndjsonJob };
    const none = await getFile(query, {});
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: "unauthorized" });
    const revoked = await createApiKey({ siteId: small.id, name: "revoked export key", scopes: ["read"] });
    await revokeApiKey(revoked.key.id);
    for (const key of ["sk_not_a_key", `${small.key}x`, revoked.secret]) {
      const res = await getFile(query, auth(key));
      expect(res.status, key).toBe(401);
      expect(await res.json()).toMatchObject({ error: "unauthorized" });
    }
    const ingestOnly = await createApiKey({ siteId: small.id, name: "ingest key", scopes: ["ingest"] });
    const res = await getFile(query, auth(ingestOnly.secret));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "forbidden" });
    // A bad key is judged alone, even beside a valid session.
    expect((await getFile(query, { ...auth("sk_not_a_key"), cookie: viewer.cookie })).status).toBe(401);
  });

  it("an export not done yet (waiting, no worker running) or failed is a 404", async () => {
    const waiting = await startExport(NDJSON_RANGE, "ndjson");
    expect(await status(waiting)).toMatchObject({ state: "waiting", download: null });
    await expectNotFound(await getFile({ site: small.id, job: waiting }), NOT_READY);
    await expectNotFound(await getFile({ site: small.id, job: waiting }, { cookie: viewer.cookie }), NOT_READY);

    expect(await status(failedJob)).toMatchObject({ state: "failed", download: null });
    expect((await status(failedJob)).error).toContain("bad filters");
    await expectNotFound(await getFile({ site: small.id, job: failedJob }), NOT_READY);
  });

  it("once the file is deleted (older than exports.keep_hours) the link answers 404, expired", async () => {
    // A job of its own, so the other tests keep their files.
    const expiring = await startExport(CSV_RANGE, "csv");
    await runExportsWorker([expiring]);
    const file = path.join(exportsDir, ((await getExportsQueue().getJob(expiring))!.returnvalue as RawExportResult).file);
    expect(await readdir(exportsDir)).toContain(`${expiring}.csv.gz`);
    expect((await getFile({ site: small.id, job: expiring })).status).toBe(200);

    // The worker's hourly cleanup, with this file written a day and an hour ago.
    const old = new Date(Date.now() - (getConfig().exports.keep_hours + 1) * 3_600_000);
    await utimes(file, old, old);
    expect(await deleteOldExports(exportsDir, getConfig().exports.keep_hours)).toEqual([path.basename(file)]);
    await expectNotFound(await getFile({ site: small.id, job: expiring }), EXPIRED);
    await expectNotFound(await getFile({ site: small.id, job: expiring }, { cookie: viewer.cookie }), EXPIRED);
    // The job is still there (the dashboard would show it done), and the other files are still served.
    expect((await status(expiring)).state).toBe("completed");
    expect((await getFile({ site: small.id, job: csvJob })).status).toBe(200);
  });
});
