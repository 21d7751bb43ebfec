/**
 * Nobody sees a site they have no role on, however they ask (docs/sites.md, "Roles"). The tRPC part
 * is walked from the router itself: every procedure must say here what it needs, so one added later
 * cannot be left open by mistake. Then the same over HTTP: pages, tRPC and GET /api/analytics.
 */
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/core/db/apiKeys";
import { createSite } from "@/core/db/sites";
import { appRouter, createCaller } from "@/server/api/root";
import { REPO_ROOT, startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { closeCoreConnections } from "../../support/ingest-env";
import { memberSession, sessionCookie, type TestMember } from "../../support/session";

/** What each procedure needs: a role on the site it names, any session, the install's admin role, or a token. */
type Needs = "read" | "edit" | "administer" | "signed-in" | "admin" | "public";
const NEEDS: Record<string, Needs> = {
  "sites.list": "signed-in",
  "sites.create": "admin",
  "sites.get": "read",
  "sites.update": "edit",
  "sites.setSharing": "edit",
  "sites.deletionPreview": "administer",
  "sites.delete": "administer",
  "members.list": "administer",
  "members.invite": "administer",
  "members.newInviteLink": "administer",
  "members.setRole": "administer",
  "members.remove": "administer",
  "analytics.report": "read",
  "analytics.breakdown": "read",
  "etl.status": "read",
  "etl.runNow": "edit",
  "etl.job": "read",
  "apiKeys.list": "edit",
  "apiKeys.create": "edit",
  "apiKeys.revoke": "edit",
  "collect.status": "read",
  "alerts.list": "read",
  "alerts.secret": "edit",
  "alerts.create": "edit",
  "alerts.update": "edit",
  "alerts.delete": "edit",
  "reports.mine": "read",
  "reports.set": "read",
  "exports.start": "read",
  "exports.status": "read",
  "shared.site": "public",
  "shared.report": "public",
  "shared.breakdown": "public",
  "invite.get": "public",
  "invite.redeem": "public",
};
/** The pages of a site (under src/app/(dashboard)/s/[siteId]) and the role each needs. */
const PAGE_NEEDS: Record<string, "read" | "edit" | "administer"> = {
  "": "read",
  "/live": "read",
  "/alerts": "read",
  "/keys": "edit",
  "/settings": "edit",
  "/members": "administer",
};
const RANK = { viewer: 1, editor: 2, admin: 3 } as const;
const NEED_RANK = { read: 1, edit: 2, administer: 3 } as const;

const procedures = Object.keys(appRouter._def.procedures as Record<string, unknown>);

/** "", "/keys", … for every page.tsx under the site's folder. */
async function sitePages(): Promise<string[]> {
  const dir = path.join(REPO_ROOT, "src/app/(dashboard)/s/[siteId]");
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /^page\.tsx?$/.test(e.name))
    .map((e) => path.relative(dir, e.parentPath))
    .map((rel) => (rel ? `/${rel.split(path.sep).join("/")}` : ""));
}

let db: TestDatabase;
let siteA: string;
let siteB: string;
const secret = randomBytes(32).toString("hex");
const people: Record<"viewerA" | "editorA" | "editorB", TestMember> = {} as never;
let adminCookie: string;

function session(member: { id: string; email: string }, role: "admin" | "member"): Session {
  return { user: { id: member.id, email: member.email, role }, expires: new Date(Date.now() + 3_600_000).toISOString() } as Session;
}

async function errorOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (err: unknown) => (err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`),
  );
}

function procedure(caller: ReturnType<typeof createCaller>, name: string): (input: unknown) => Promise<unknown> {
  return name.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
    input: unknown,
  ) => Promise<unknown>;
}

beforeAll(async () => {
  db = await createTestDatabase("sites_access");
  process.env.DATABASE_URL = db.url;
  siteA = (await createSite({ name: "a.example", hostnames: ["a.example"] })).id;
  siteB = (await createSite({ name: "b.example", hostnames: ["b.example"] })).id;
  people.viewerA = await memberSession(secret, "viewer-a@test.pulse", [{ siteId: siteA, role: "viewer" }]);
  people.editorA = await memberSession(secret, "editor-a@test.pulse", [{ siteId: siteA, role: "editor" }]);
  people.editorB = await memberSession(secret, "editor-b@test.pulse", [{ siteId: siteB, role: "editor" }]);
  adminCookie = await sessionCookie(secret);
}, 120_000);

afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
});

it("every procedure of the router says what it needs", () => {
  expect(procedures.filter((p) => !(p in NEEDS))).toEqual([]);
  expect(Object.keys(NEEDS).filter((p) => !procedures.includes(p))).toEqual([]);
});

describe("in process, procedure by procedure", () => {
  const siteScoped = Object.entries(NEEDS).filter((e): e is [string, "read" | "edit" | "administer"] => e[1] in NEED_RANK);

  it.each(siteScoped)("%s (%s): NOT_FOUND for an editor of another site, whatever else the input says", async (name) => {
    const caller = createCaller({ session: session(people.editorB, "member"), headers: new Headers() });
    expect(await errorOf(procedure(caller, name)({ siteId: siteA }))).toBe("NOT_FOUND");
    // A site that does not exist looks the same as one the user may not see.
    expect(await errorOf(procedure(caller, name)({ siteId: "11111111-1111-4111-8111-111111111111" }))).toBe("NOT_FOUND");
  });

  it.each(siteScoped)("%s (%s): FORBIDDEN below the role it needs, let through at it", async (name, needs) => {
    for (const [who, access] of [
      ["viewerA", "viewer"],
      ["editorA", "editor"],
    ] as const) {
      const caller = createCaller({ session: session(people[who], "member"), headers: new Headers() });
      // Only the site id: where access is enough, the call fails later, on its own input (or succeeds).
      const code = await errorOf(procedure(caller, name)({ siteId: siteA }));
      if (RANK[access] < NEED_RANK[needs]) expect(code, `${who} on ${name}`).toBe("FORBIDDEN");
      else expect(["BAD_REQUEST", null], `${who} on ${name}: ${code}`).toContain(code);
    }
  });

  it("sites.list shows a member their own sites only; an admin all of them", async () => {
    const list = async (s: Session) => (await createCaller({ session: s, headers: new Headers() }).sites.list()).map((x) => x.id);
    expect(await list(session(people.viewerA, "member"))).toEqual([siteA]);
    expect(await list(session(people.editorB, "member"))).toEqual([siteB]);
    expect(await list(session({ id: people.editorB.id, email: "x" }, "admin"))).toEqual(expect.arrayContaining([siteA, siteB]));
  });

  it("a viewer is not shown the shared link's token", async () => {
    const editor = createCaller({ session: session(people.editorA, "member"), headers: new Headers() });
    const on = await editor.sites.setSharing({ siteId: siteA, on: true });
    expect(on.shareToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const viewer = createCaller({ session: session(people.viewerA, "member"), headers: new Headers() });
    expect((await viewer.sites.get({ siteId: siteA })).shareToken).toBeNull();
    expect((await viewer.sites.list())[0]!.shareToken).toBeNull();
    await editor.sites.setSharing({ siteId: siteA, on: false });
  });

  it("only the install's admin creates sites", async () => {
    const editor = createCaller({ session: session(people.editorA, "member"), headers: new Headers() });
    expect(await errorOf(editor.sites.create({ name: "c.example" }))).toBe("FORBIDDEN");
  });
});

let appUrl = (): string => {
  throw new Error("the app is not started");
};

describe("over HTTP against the running app", () => {
  let app: RunningApp;
  let readKeyA: string;

  beforeAll(async () => {
    app = await startApp({
      name: "sites-access",
      env: { DATABASE_URL: db.url, AUTH_SECRET: secret, LOG_LEVEL: "warn", PULSE_LIVE_MAX_CONNECTIONS_PER_USER: String(LIVE_CAP) },
    });
    readKeyA = (await createApiKey({ siteId: siteA, name: "read a", kind: "secret", scopes: ["read"] })).secret;
    appUrl = () => app.url;
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
  });

  const page = (route: string, cookie: string) => fetch(`${app.url}${route}`, { headers: { cookie }, redirect: "manual" });
  const query = (name: string, input: unknown, cookie: string) =>
    fetch(`${app.url}/api/trpc/${name}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`, { headers: { cookie } });

  it("every page of a site: 200 from the role it needs up, 404 below it and for everyone else", async () => {
    const pages = await sitePages();
    expect(pages.filter((p) => !(p in PAGE_NEEDS))).toEqual([]);
    for (const [sub, needs] of Object.entries(PAGE_NEEDS)) {
      expect(pages, `${sub} is in PAGE_NEEDS but has no page.tsx`).toContain(sub);
      for (const [cookie, access] of [
        [people.viewerA.cookie, "viewer"],
        [people.editorA.cookie, "editor"],
        [adminCookie, "admin"],
      ] as const) {
        const want = RANK[access] >= NEED_RANK[needs] ? 200 : 404;
        expect((await page(`/s/${siteA}${sub}`, cookie)).status, `${access} on ${sub}`).toBe(want);
      }
      expect((await page(`/s/${siteA}${sub}`, people.editorB.cookie)).status, `editor of B on A's ${sub}`).toBe(404);
      expect((await page(`/s/11111111-1111-4111-8111-111111111111${sub}`, adminCookie)).status, `no such site ${sub}`).toBe(404);
    }
    expect((await page("/s/not-a-site", adminCookie)).status).toBe(404);
  });

  it("the home page sends a member to their own site", async () => {
    const res = await page("/", people.editorB.cookie);
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    expect(new URL(res.headers.get("location")!, app.url).pathname).toBe(`/s/${siteB}`);
  });

  it("tRPC over HTTP: 404 for another site's report, 403 for a viewer's key list", async () => {
    expect((await query("analytics.report", { siteId: siteB }, people.viewerA.cookie)).status).toBe(404);
    expect((await query("analytics.report", { siteId: siteA }, people.viewerA.cookie)).status).toBe(200);
    expect((await query("apiKeys.list", { siteId: siteA }, people.viewerA.cookie)).status).toBe(403);
  });

  it("GET /api/analytics: a session reads only its sites; a key only its own", async () => {
    const get = (qs: string, headers: Record<string, string>) => fetch(`${app.url}/api/analytics?${qs}`, { headers });
    expect((await get(`site=${siteA}`, { cookie: people.viewerA.cookie })).status).toBe(200);
    expect((await get(`site=${siteB}`, { cookie: people.viewerA.cookie })).status).toBe(404);
    expect((await get("", { cookie: people.viewerA.cookie })).status).toBe(400);
    expect((await get("", { authorization: `Bearer ${readKeyA}` })).status).toBe(200);
    expect((await get(`site=${siteA}`, { authorization: `Bearer ${readKeyA}` })).status).toBe(200);
    expect((await get(`site=${siteB}`, { authorization: `Bearer ${readKeyA}` })).status).toBe(403);
  });

  it("GET /api/live: the same rule (404 for a site the session cannot see, 403 for another site's key), then a stream", async () => {
    const status = async (qs: string, headers: Record<string, string>) => {
      const res = await fetch(`${app.url}/api/live?${qs}`, { headers });
      await res.body?.cancel();
      return res.status;
    };
    expect(await status(`site=${siteA}`, {})).toBe(401);
    expect(await status(`site=${siteB}`, { cookie: people.viewerA.cookie })).toBe(404);
    expect(await status("site=11111111-1111-4111-8111-111111111111", { cookie: people.viewerA.cookie })).toBe(404);
    expect(await status("site=../../etc", { cookie: people.viewerA.cookie })).toBe(404);
    expect(await status("", { cookie: people.viewerA.cookie })).toBe(400);
    expect(await status(`site=${siteB}`, { authorization: `Bearer ${readKeyA}` })).toBe(403);

    // A viewer may watch: an event stream that starts with the counters; a Last-Event-ID that is not one is ignored.
    const stream = await openStream(`site=${siteA}`, { cookie: people.viewerA.cookie, "last-event-id": "0-0 OR 1=1; <script>" });
    expect(stream.contentType).toBe("text/event-stream; charset=utf-8");
    expect(stream.first).toMatch(/^retry: 2000\n\nevent: snapshot\ndata: \{"at":"[^"]+","visitors":0,/);
    stream.close();
    const byKey = await openStream("", { authorization: `Bearer ${readKeyA}` });
    expect(byKey.first).toContain("event: snapshot");
    byKey.close();
  });

  it(`GET /api/live: at most ${LIVE_CAP} open streams per user; closing one frees its place`, async () => {
    const open = await Promise.all(Array.from({ length: LIVE_CAP }, () => openStream(`site=${siteB}`, { cookie: people.editorB.cookie })));
    const refused = await fetch(`${app.url}/api/live?site=${siteB}`, { headers: { cookie: people.editorB.cookie } });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toBe("too_many_streams");
    // Another user is not held back by this one's streams.
    const other = await openStream(`site=${siteA}`, { cookie: people.editorA.cookie });
    other.close();
    open.pop()!.close();
    const again = await waitForStream(`site=${siteB}`, { cookie: people.editorB.cookie });
    for (const s of [...open, again]) s.close();
  });
});

const LIVE_CAP = 3;

interface OpenStream {
  contentType: string | null;
  /** What the server sent first (read until the first snapshot). */
  first: string;
  close: () => void;
}

async function openStream(qs: string, headers: Record<string, string>): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(`${appUrl()}/api/live?${qs}`, { headers, signal: controller.signal });
  if (res.status !== 200) throw new Error(`GET /api/live?${qs}: ${res.status} ${await res.text()}`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let first = "";
  while (!first.includes("event: snapshot")) {
    const { value, done } = await reader.read();
    if (done) break;
    first += decoder.decode(value, { stream: true });
  }
  return { contentType: res.headers.get("content-type"), first, close: () => controller.abort() };
}

/** The server frees a closed stream's place as soon as it sees the disconnect: a moment after the client's. */
async function waitForStream(qs: string, headers: Record<string, string>): Promise<OpenStream> {
  for (let i = 0; ; i++) {
    try {
      return await openStream(qs, headers);
    } catch (err) {
      if (i >= 40) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
