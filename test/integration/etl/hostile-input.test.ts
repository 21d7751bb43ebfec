/**
 * Hostile input never stops the analytics (docs/api.md "Text rules", docs/etl.md "Quarantine"):
 * through the real app, Kafka, the consumer and the ETL, each bad text and bad time is refused
 * with a 400 that names the field; whatever reaches the logs some other way (a NUL line written
 * by hand, bytes that are not UTF-8, a year-1 event, a replaced or cut file, a session the
 * database refuses) is set aside with its reason while the pass counts everything else; and a
 * session spanning decades costs a pass no more than a normal one. After each case, a normal
 * event sent next is counted by the next pass.
 */
import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readdir, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { mkdtemp } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventLogPath } from "../../../src/core/logs/paths";
import { startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { runPass } from "../../support/etl";
import { closeCoreConnections, createIngestTestEnv, postEvents, type IngestTestEnv } from "../../support/ingest-env";
import { startWorkerProcess, waitUntil, type WorkerProcess } from "../../support/worker";
import { DEFAULT_SITE_ID } from "../../../src/core/sites/defaultSite";

let db: TestDatabase;
let logsDir: string;
let ingest: IngestTestEnv;
let app: RunningApp;
let consumer: WorkerProcess;
let key: string;
let backfillKey: string;

const DAY_MS = 86_400_000;
const CJK = (n: number, seed: number): string => {
  // Varied characters (incompressible, like real text), 3 bytes each in UTF-8.
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(0x4e00 + ((seed * 7919 + i * 104_729) % 0x5000));
  return s;
};

beforeAll(async () => {
  db = await createTestDatabase("etl_hostile");
  process.env.DATABASE_URL = db.url;
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-etl-hostile-"));
  ingest = await createIngestTestEnv("etl_hostile");
  const env = { ...ingest.appEnv, DATABASE_URL: db.url, LOGS_DIR: logsDir };
  [app, consumer] = await Promise.all([
    startApp({ name: "etl-hostile", env }),
    (async () => {
      const worker = startWorkerProcess("workers/consumer/main.ts", { ...process.env, ...env, LOG_LEVEL: "info" }, { label: "consumer" });
      await worker.waitForOutput('"msg":"consumer joined the group"');
      return worker;
    })(),
  ]);
  key = (await ingest.newKey(["ingest"])).secret;
  backfillKey = (await ingest.newKey(["ingest", "backfill"])).secret;
});

afterAll(async () => {
  await Promise.all([app?.stop(), consumer?.stop()]);
  await ingest?.cleanup();
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

async function allLogText(): Promise<string> {
  const root = path.join(logsDir, "events");
  let text = "";
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) text += await readFile(path.join(entry.parentPath, entry.name), "utf8");
  }
  return text;
}

/** Posts events and waits until the consumer has written every one of them to the logs. */
async function sendAndLog(events: Record<string, unknown>[], secret = key): Promise<string[]> {
  const res = await postEvents(app.url, { events }, { key: secret });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const ids = res.body.event_ids as string[];
  await waitUntil(
    async () => {
      const text = await allLogText();
      return ids.every((id) => text.includes(id));
    },
    30_000,
    () => `events ${ids.join(", ")} not in the logs yet`,
  );
  return ids;
}

/** The default site's file of an hour that holds an event id (the consumer writes one per Kafka partition). */
async function fileHolding(hourIso: string, eventId: string): Promise<string> {
  const dir = path.dirname(eventLogPath(logsDir, DEFAULT_SITE_ID, hourIso));
  for (const name of await readdir(dir)) {
    if ((await readFile(path.join(dir, name), "utf8")).includes(eventId)) return path.join(dir, name);
  }
  throw new Error(`no file of ${hourIso} holds ${eventId}`);
}

/** How many files the default site has for an hour (older layouts and one per partition). */
async function filesOfHour(hourIso: string): Promise<number> {
  const dir = path.dirname(eventLogPath(logsDir, DEFAULT_SITE_ID, hourIso));
  return (await readdir(dir)).filter((name) => name.startsWith(`${hourIso.slice(11, 13)}.`)).length;
}

const visitsOf = async (pagePath: string): Promise<number> =>
  Number(
    (
      await queryRows<{ n: string | null }>(db.url, "SELECT sum(total_visits) AS n FROM page_engagement WHERE page_path = $1", [pagePath])
    )[0]?.n ?? 0,
  );

let normalCount = 0;
/** A normal event sent now is counted by the next pass. */
async function expectNormalEventCounted(): Promise<void> {
  const page = `/after-${++normalCount}`;
  await sendAndLog([{ event_type: "page_visited", user_id: "normal", session_id: `normal-${randomUUID()}`, page_path: page }]);
  const result = await runPass(db.url, logsDir);
  expect(result.eventsRead).toBeGreaterThanOrEqual(1);
  expect(await visitsOf(page)).toBe(1);
}

const quarantined = async (): Promise<
  Array<{ kind: string; file: string; byte_offset: string; reason: string; excerpt: string; session_key: string | null }>
> => queryRows(db.url, "SELECT kind, file, byte_offset, reason, excerpt, session_key FROM etl_quarantine ORDER BY id");

describe("the API refuses bad text and names the field", () => {
  const base = { event_type: "page_visited", user_id: "u1", session_id: "s1", page_path: "/" };
  const cases: Array<[string, string, string]> = [
    ["NUL in user_id", JSON.stringify({ ...base, user_id: "u\u0000x" }), "user_id"],
    ["lone surrogate in session_id", JSON.stringify({ ...base, session_id: "s\ud800" }), "session_id"],
    ["lone low surrogate in page_path", JSON.stringify({ ...base, page_path: "/\udc00" }), "page_path"],
    ["tab in page_path", JSON.stringify({ ...base, page_path: "/a\tb" }), "page_path"],
    ["C1 control in button_id", JSON.stringify({ ...base, event_type: "button_clicked", button_id: "b\u0085" }), "button_id"],
    ["NUL in a props value", JSON.stringify({ ...base, props: { a: ["ok", "x\u0000"] } }), "props.a[1]"],
    ["NUL in a props key", JSON.stringify({ ...base, props: { "k\u0000": 1 } }), "props.k\u0000"],
    [
      "props nested 9 levels",
      JSON.stringify({ ...base, props: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } }),
      "props.a.b.c.d.e.f.g.h",
    ],
    ["user_id of 258 bytes (86 characters)", JSON.stringify({ ...base, user_id: CJK(86, 1) }), "user_id"],
    ["page_path of 2049 bytes", JSON.stringify({ ...base, page_path: `/${CJK(682, 2)}/x` }), "page_path"],
  ];
  for (const [name, body, field] of cases) {
    it(`400 for ${name}`, async () => {
      const res = await postEvents(app.url, null, { key, raw: body });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_event");
      expect((res.body.issues as Array<{ path: string }>)[0]?.path).toBe(field);
    });
  }

  it("and in a batch, names the event too, accepting none of it", async () => {
    const res = await postEvents(app.url, null, { key, raw: JSON.stringify({ events: [base, { ...base, user_id: "\u0000" }] }) });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([{ path: "events[1].user_id", message: "user_id must not contain U+0000 (NUL)" }]);
  });

  it("a normal event sent next is counted", expectNormalEventCounted);
});

describe("the API bounds event_time", () => {
  const at = (ms: number) => new Date(ms).toISOString();
  const event = (event_time: string) => ({
    event_type: "page_visited",
    user_id: "u1",
    session_id: `t-${randomUUID()}`,
    page_path: "/old",
    event_time,
  });

  it("refuses years before 1970, even with the backfill scope", async () => {
    for (const time of ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:30:00+01:00"]) {
      const res = await postEvents(app.url, event(time), { key: backfillKey });
      expect(res.status, time).toBe(400);
      expect(res.body.issues).toEqual([{ path: "event_time", message: "event_time must not be before 1970-01-01T00:00:00Z" }]);
    }
  });

  it("refuses events older than ingest.max_past_days without the backfill scope, takes them with it up to max_backfill_days", async () => {
    const old = event(at(Date.now() - 31 * DAY_MS));
    const refused = await postEvents(app.url, old, { key });
    expect(refused.status).toBe(400);
    expect((refused.body.issues as Array<{ message: string }>)[0]?.message).toMatch(
      /more than 30 days in the past; older events need a key with the backfill scope/,
    );
    expect((await postEvents(app.url, event(at(Date.now() - 3651 * DAY_MS)), { key: backfillKey })).status).toBe(400);
    expect((await postEvents(app.url, event(at(Date.now() + 10 * 60_000)), { key: backfillKey })).status).toBe(400);

    await sendAndLog([old], backfillKey);
    await runPass(db.url, logsDir);
    expect(await visitsOf("/old")).toBe(1);
  });

  it("a normal event sent next is counted", expectNormalEventCounted);
});

it("loads a 2048-byte page path of CJK characters with 256-byte ids, the widest index rows there are", async () => {
  const page = `/${CJK(682, 3)}/`;
  const session = CJK(85, 4) + "s";
  const button = CJK(85, 5) + "b";
  expect([Buffer.byteLength(page), Buffer.byteLength(session), Buffer.byteLength(button)]).toEqual([2048, 256, 256]);
  await sendAndLog([
    { event_type: "page_visited", user_id: session, session_id: session, page_path: page },
    { event_type: "button_clicked", user_id: session, session_id: session, page_path: page, button_id: button },
  ]);
  const result = await runPass(db.url, logsDir);
  expect(result.quarantined).toEqual({ lines: 0, sessions: 0, files: 0 });
  expect(await visitsOf(page)).toBe(1);
  const clicks = await queryRows<{ clicks: number; views: number }>(
    db.url,
    "SELECT clicks, views FROM click_through_rates WHERE page_path = $1 AND button_id = $2",
    [page, button],
  );
  expect(clicks).toEqual([{ clicks: 1, views: 1 }]);
});

describe("lines that reach the logs some other way are set aside, never stop a pass", () => {
  it("a NUL line, a line that is not UTF-8, a year-1 event and garbage written straight into a log file", async () => {
    const now = new Date().toISOString();
    const file = eventLogPath(logsDir, DEFAULT_SITE_ID, now);
    const rel = path.relative(logsDir, file);
    await mkdir(path.dirname(file), { recursive: true });
    const nulLine = JSON.stringify({
      site_id: DEFAULT_SITE_ID,
      event_type: "page_visited",
      user_id: "u\u0000x",
      session_id: "bad-nul",
      page_path: "/",
      event_id: randomUUID(),
      event_time: now,
    });
    const year1 = JSON.stringify({
      site_id: DEFAULT_SITE_ID,
      event_type: "page_visited",
      user_id: "u",
      session_id: "bad-year1",
      page_path: "/",
      event_id: randomUUID(),
      event_time: "0001-01-01T00:00:00.000Z",
    });
    const notUtf8 = Buffer.concat([Buffer.from('{"event_type":"page_visited","user_id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const before = (await readFile(file).catch(() => Buffer.alloc(0))).length;
    await appendFile(file, Buffer.concat([Buffer.from(`${nulLine}\n${year1}\n`), notUtf8, Buffer.from("\n{not json\n")]));

    const first = await runPass(db.url, logsDir);
    expect(first.quarantined.lines).toBe(4);
    const rows = (await quarantined()).filter((q) => q.kind === "line");
    expect(rows.map((r) => [r.file, Number(r.byte_offset)])).toEqual([
      [rel, before],
      [rel, before + Buffer.byteLength(nulLine) + 1],
      [rel, before + Buffer.byteLength(nulLine) + Buffer.byteLength(year1) + 2],
      [rel, before + Buffer.byteLength(nulLine) + Buffer.byteLength(year1) + notUtf8.length + 3],
    ]);
    expect(rows.map((r) => r.reason)).toEqual([
      "not a valid event: user_id: user_id must not contain U+0000 (NUL)",
      "not a valid event: event_time: event_time must not be before 1970-01-01T00:00:00Z",
      "not valid UTF-8",
      expect.stringMatching(/^not JSON/),
    ]);
    expect(rows[0]!.excerpt).toContain("u\\u0000x");
    expect(rows[0]!.session_key).toBe('"bad-nul"');

    // The next pass does not retry them, and normal events keep being counted.
    await expectNormalEventCounted();
    expect((await quarantined()).filter((q) => q.kind === "line")).toHaveLength(4);
  });

  it("npm run etl lists what it set aside", async () => {
    const file = eventLogPath(logsDir, DEFAULT_SITE_ID, new Date().toISOString());
    await appendFile(
      file,
      `${JSON.stringify({ site_id: DEFAULT_SITE_ID, event_type: "page_visited", user_id: "u", session_id: "bad-cli", page_path: "/\u0007", event_id: randomUUID(), event_time: new Date().toISOString() })}\n`,
    );
    const etl = startWorkerProcess(
      "workers/etl/run-once.ts",
      { ...process.env, DATABASE_URL: db.url, LOGS_DIR: logsDir },
      { label: "etl" },
    );
    const { code } = await etl.exited;
    const output = etl.output.join("\n");
    expect(code, output).toBe(0);
    expect(output).toMatch(/Set aside \(not counted, kept in etl_quarantine and shown on the dashboard\): 1 lines/);
    expect(output).toContain("page_path: page_path must not contain control characters");
  });

  it("a log file replaced behind the ETL's cursor is reported and read again from its start, not from the middle", async () => {
    const hour = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const ids = await sendAndLog([
      { event_type: "page_visited", user_id: "r", session_id: `repl-${randomUUID()}`, page_path: "/replaced-old", event_time: hour },
    ]);
    await runPass(db.url, logsDir);
    expect(await visitsOf("/replaced-old")).toBe(1);

    // Another program writes the hour file anew (write to a temp file, rename over it): longer than before.
    const file = await fileHolding(hour, ids[0]!);
    const old = await readFile(file, "utf8");
    const fresh = Array.from({ length: 3 }, (_, i) =>
      JSON.stringify({
        site_id: DEFAULT_SITE_ID,
        event_type: "page_visited",
        user_id: "r2",
        session_id: `repl-new-${i}`,
        page_path: "/replaced-new",
        event_id: randomUUID(),
        event_time: hour,
      }),
    );
    expect(old).toContain(ids[0]);
    await writeFile(`${file}.tmp`, `${fresh.join("\n")}\n`);
    await rename(`${file}.tmp`, file);

    const result = await runPass(db.url, logsDir);
    expect(result.quarantined.files).toBe(1);
    const notice = (await quarantined()).filter((q) => q.kind === "file").at(-1)!;
    expect(notice.file).toBe(path.relative(logsDir, file));
    expect(notice.reason).toMatch(/replaced.*read again from its start/);
    expect(await visitsOf("/replaced-new")).toBe(3);

    // Cut shorter in place: reported as well, and read from 0 again (duplicates count once).
    await truncate(file, Buffer.byteLength(`${fresh[0]}\n`));
    const cut = await runPass(db.url, logsDir);
    expect(cut.quarantined.files).toBe(1);
    expect((await quarantined()).filter((q) => q.kind === "file").at(-1)!.reason).toMatch(/shrank from \d+ to \d+ bytes/);
    expect(await visitsOf("/replaced-new")).toBe(3);
    await expectNormalEventCounted();
  });

  it("a session PostgreSQL refuses is set aside with the database's reason; every other session is written", async () => {
    // A real refusal from the database: a constraint this test adds (the schema lets every value through otherwise).
    await queryRows(db.url, "ALTER TABLE session_facts ADD CONSTRAINT test_refuse CHECK (session_id <> 'refuse-me')");
    try {
      await sendAndLog([
        { event_type: "page_visited", user_id: "w", session_id: `fine-${randomUUID()}`, page_path: "/beside-refused" },
        { event_type: "page_visited", user_id: "x", session_id: "refuse-me", page_path: "/refused" },
        { event_type: "page_visited", user_id: "y", session_id: `fine-${randomUUID()}`, page_path: "/beside-refused" },
      ]);
      // One session per COPY batch (factWriter.ts): the batches before and after the refused one are written.
      const result = await runPass(db.url, logsDir, { factBatchSessions: 1 });
      expect(result.quarantined.sessions).toBe(1);
      const row = (await quarantined()).filter((q) => q.kind === "session").at(-1)!;
      expect(row.session_key).toBe('"refuse-me"');
      expect(row.reason).toMatch(/PostgreSQL refused the session's facts: .*test_refuse/);
      expect(await visitsOf("/beside-refused")).toBe(2);
      expect(await visitsOf("/refused")).toBe(0);

      // Its later events are skipped, not counted as half a session, and not set aside again.
      await sendAndLog([{ event_type: "page_visited", user_id: "x", session_id: "refuse-me", page_path: "/refused" }]);
      const later = await runPass(db.url, logsDir);
      expect(later.skippedLines).toBe(1);
      expect(later.quarantined.sessions).toBe(0);
    } finally {
      await queryRows(db.url, "ALTER TABLE session_facts DROP CONSTRAINT test_refuse");
    }
    await expectNormalEventCounted();
  });
});

it("a session spanning 1970 to today costs a pass no more than a normal session", async () => {
  const adversary = `span-${randomUUID()}`;
  // An event from 1970 in the logs (the API refuses it; an old version or a hand edit could have written it).
  const epochFile = eventLogPath(logsDir, DEFAULT_SITE_ID, "1970-01-01T00:00:00.000Z");
  await mkdir(path.dirname(epochFile), { recursive: true });
  await appendFile(
    epochFile,
    `${JSON.stringify({ site_id: DEFAULT_SITE_ID, event_type: "page_visited", user_id: "adv", session_id: adversary, page_path: "/span", event_id: randomUUID(), event_time: "1970-01-01T00:00:00.000Z" })}\n`,
  );
  // 300 hour files of other traffic between then and now, which the session's span covers.
  for (let h = 1; h <= 300; h++) {
    const time = new Date(Math.floor(Date.now() / 3_600_000 - 10 - h) * 3_600_000).toISOString();
    const lines = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({
        site_id: DEFAULT_SITE_ID,
        event_type: "page_visited",
        user_id: "other",
        session_id: `other-${h}-${i}`,
        page_path: "/other",
        event_id: randomUUID(),
        event_time: time,
      }),
    );
    const file = eventLogPath(logsDir, DEFAULT_SITE_ID, time);
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, `${lines.join("\n")}\n`);
  }
  await sendAndLog([{ event_type: "page_visited", user_id: "adv", session_id: adversary, page_path: "/span" }]);
  await runPass(db.url, logsDir);
  const [fact] = await queryRows<{ event_hours: number[] }>(db.url, "SELECT event_hours FROM session_facts WHERE session_id = $1", [
    adversary,
  ]);
  expect(fact!.event_hours).toEqual([0, Math.floor(Date.now() / 3_600_000)]);

  const timePass = async (sessionId: string, page: string): Promise<{ ms: number; filesReread: number }> => {
    await sendAndLog([{ event_type: "page_visited", user_id: "adv", session_id: sessionId, page_path: page }]);
    const started = performance.now();
    const result = await runPass(db.url, logsDir);
    return { ms: performance.now() - started, filesReread: result.filesReread };
  };
  const normal: number[] = [];
  const spanning: number[] = [];
  for (let i = 0; i < 5; i++) {
    normal.push((await timePass(`plain-${randomUUID()}`, "/plain")).ms);
    const pass = await timePass(adversary, "/span");
    spanning.push(pass.ms);
    // Only the files of the two hours that hold its earlier events are read again, not the 300 its span covers.
    expect(pass.filesReread).toBeLessThanOrEqual(
      (await filesOfHour("1970-01-01T00:00:00.000Z")) + (await filesOfHour(new Date().toISOString())),
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
  console.log(
    `pass with a new event of a normal session: ${normal.map((m) => m.toFixed(0)).join(", ")} ms (median ${median(normal).toFixed(0)}); ` +
      `of the 1970-to-today session: ${spanning.map((m) => m.toFixed(0)).join(", ")} ms (median ${median(spanning).toFixed(0)})`,
  );
  expect(median(spanning)).toBeLessThanOrEqual(2 * median(normal));
  expect(await visitsOf("/span")).toBe(7);
  await expectNormalEventCounted();
});
