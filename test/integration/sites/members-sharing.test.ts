/**
 * Members, invitations, the shared link and deleting a site (docs/sites.md), through the same
 * procedures the dashboard calls, and the shared link over HTTP as a visitor without a session.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, verifyApiKey } from "@/core/db/apiKeys";
import { getPrisma } from "@/core/db/client";
import { createSite } from "@/core/db/sites";
import { verifyUserPassword } from "@/core/db/users";
import { createCaller } from "@/server/api/root";
import { startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { readDailyTables, runPass, storedEvent, writeLogEvents } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";

let db: TestDatabase;
let logsDir: string;
let siteId: string;
let admin: ReturnType<typeof createCaller>;
const anonymous = () => createCaller({ session: null, headers: new Headers() });
const code = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => (err as TRPCError).code,
  );
const tokenOf = (url: string) => new URL(url).pathname.split("/").pop()!;

beforeAll(async () => {
  db = await createTestDatabase("sites_members");
  process.env.DATABASE_URL = db.url;
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-members-"));
  const adminUser = await getPrisma().user.create({ data: { email: "root@test.pulse", role: "admin" } });
  const session = { user: { id: adminUser.id, email: adminUser.email, role: "admin" }, expires: "2099-01-01T00:00:00.000Z" } as Session;
  admin = createCaller({ session, headers: new Headers() });
  siteId = (await admin.sites.create({ name: "shop.example", hostnames: ["shop.example", "WWW.Shop.Example"] })).id;
  await writeLogEvents(logsDir, [
    storedEvent("2026-11-10T10:00:00.000Z", { site_id: siteId, event_type: "session_created", session_id: "s1", user_id: "u1" }),
    storedEvent("2026-11-10T10:00:01.000Z", {
      site_id: siteId,
      event_type: "page_visited",
      session_id: "s1",
      user_id: "u1",
      page_path: "/",
    }),
    storedEvent("2026-11-10T10:00:31.000Z", { site_id: siteId, event_type: "session_ended", session_id: "s1", user_id: "u1" }),
  ]);
  await runPass(db.url, logsDir);
}, 120_000);

afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
  await rm(logsDir, { recursive: true, force: true });
});

describe("members and invitations", () => {
  let inviteUrl: string;

  it("inviting a new person makes their account without a password and a one-time link", async () => {
    const result = await admin.members.invite({ siteId, email: " Viewer@Example.COM ", role: "viewer" });
    expect(result.createdUser).toBe(true);
    expect(result.member).toMatchObject({ email: "viewer@example.com", role: "viewer", hasPassword: false });
    expect(result.inviteUrl).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    inviteUrl = result.inviteUrl!;
    expect(await anonymous().invite.get({ token: tokenOf(inviteUrl) })).toEqual({ email: "viewer@example.com" });
    expect(await code(admin.members.invite({ siteId, email: "not an email", role: "viewer" }))).toBe("BAD_REQUEST");
  });

  it("the link sets the password once; a short password does not use it up", async () => {
    const token = tokenOf(inviteUrl);
    expect(await code(anonymous().invite.redeem({ token, password: "short" }))).toBe("BAD_REQUEST");
    expect(await anonymous().invite.redeem({ token, password: "a-good-long-password" })).toEqual({ email: "viewer@example.com" });
    expect(await verifyUserPassword("viewer@example.com", "a-good-long-password")).toMatchObject({ role: "member" });
    expect(await code(anonymous().invite.redeem({ token, password: "another-long-password" }))).toBe("NOT_FOUND");
    expect(await code(anonymous().invite.get({ token }))).toBe("NOT_FOUND");
    const [member] = await admin.members.list({ siteId });
    expect(member).toMatchObject({ email: "viewer@example.com", hasPassword: true });
  });

  it("an expired link is refused; someone who can sign in gets no link; a new role replaces the old", async () => {
    const other = await admin.members.invite({ siteId, email: "late@example.com", role: "editor" });
    await queryRows(db.url, "UPDATE user_invites SET expires_at = now() - interval '1 second'");
    expect(await code(anonymous().invite.get({ token: tokenOf(other.inviteUrl!) }))).toBe("NOT_FOUND");
    const fresh = await admin.members.newInviteLink({ siteId, userId: other.member.userId });
    expect(await anonymous().invite.get({ token: tokenOf(fresh.inviteUrl) })).toEqual({ email: "late@example.com" });

    const again = await admin.members.invite({ siteId, email: "viewer@example.com", role: "editor" });
    expect(again).toMatchObject({ inviteUrl: null, createdUser: false, member: { role: "editor" } });
    expect((await admin.members.list({ siteId })).filter((m) => m.email === "viewer@example.com")).toHaveLength(1);
    expect(await code(admin.members.newInviteLink({ siteId, userId: again.member.userId }))).toBe("BAD_REQUEST");
  });

  it("removing a member takes the site away from them", async () => {
    const [member] = (await admin.members.list({ siteId })).filter((m) => m.email === "late@example.com");
    await admin.members.remove({ siteId, userId: member!.userId });
    const session = { user: { id: member!.userId, email: member!.email, role: "member" }, expires: "2099-01-01T00:00:00.000Z" } as Session;
    const late = createCaller({ session, headers: new Headers() });
    expect(await late.sites.list()).toEqual([]);
    expect(await code(late.analytics.report({ siteId }))).toBe("NOT_FOUND");
  });
});

describe("settings", () => {
  it("hostnames are normalised and checked; names and time zones too", async () => {
    const site = await admin.sites.get({ siteId });
    expect(site.hostnames).toEqual(["shop.example", "www.shop.example"]);
    for (const settings of [
      { hostnames: ["https://shop.example/path"] },
      { timeZone: "Mars/Olympus" },
      { name: "  " },
      { name: "a\u0000b" },
    ]) {
      expect(await code(admin.sites.update({ siteId, settings })), JSON.stringify(settings)).toBe("BAD_REQUEST");
    }
  });
});

describe("the shared link", () => {
  let app: RunningApp;
  const secret = randomBytes(32).toString("hex");

  beforeAll(async () => {
    app = await startApp({ name: "sites-shared", env: { DATABASE_URL: db.url, AUTH_SECRET: secret, LOG_LEVEL: "warn" } });
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
  });

  const sharedReport = (token: string) =>
    fetch(
      `${app.url}/api/trpc/shared.report?input=${encodeURIComponent(JSON.stringify(superjson.serialize({ token, from: "2026-11-10", to: "2026-11-10" })))}`,
    );

  it("on: anyone with the link reads the site's report, without a session; off: the link is gone", async () => {
    const on = await admin.sites.setSharing({ siteId, on: true });
    const token = on.shareToken!;
    const res = await sharedReport(token);
    expect(res.status).toBe(200);
    const report = superjson.deserialize<{ summary: { sessions: number } }>(
      ((await res.json()) as { result: { data: never } }).result.data,
    );
    expect(report.summary.sessions).toBe(1);
    expect(report).toEqual(await admin.analytics.report({ siteId, from: "2026-11-10", to: "2026-11-10" }));
    expect((await fetch(`${app.url}/share/${token}`, { redirect: "manual" })).status).toBe(200);

    // Turned on again: a new link, and the old one stops working.
    const again = (await admin.sites.setSharing({ siteId, on: true })).shareToken!;
    expect(again).not.toBe(token);
    expect((await sharedReport(token)).status).toBe(404);

    await admin.sites.setSharing({ siteId, on: false });
    expect((await sharedReport(again)).status).toBe(404);
    expect((await fetch(`${app.url}/share/${again}`, { redirect: "manual" })).status).toBe(404);
  });
});

describe("deleting a site", () => {
  it("says what goes, needs the name typed, then removes every row of it and its keys", async () => {
    const doomed = await createSite({ name: "doomed.example" });
    const { secret } = await createApiKey({ siteId: doomed.id, name: "doomed", kind: "secret", scopes: ["ingest"] });
    await writeLogEvents(logsDir, [
      storedEvent("2026-11-10T12:00:00.000Z", { site_id: doomed.id, event_type: "session_created", session_id: "d1", user_id: "u" }),
      storedEvent("2026-11-10T12:00:01.000Z", {
        site_id: doomed.id,
        event_type: "page_visited",
        session_id: "d1",
        user_id: "u",
        page_path: "/",
      }),
    ]);
    await runPass(db.url, logsDir);
    expect(await admin.sites.deletionPreview({ siteId: doomed.id })).toEqual({ sessions: 1, days: 1, keys: 1, members: 0 });
    expect(await code(admin.sites.delete({ siteId: doomed.id, confirmName: "doomed" }))).toBe("BAD_REQUEST");
    expect(await admin.sites.delete({ siteId: doomed.id, confirmName: "doomed.example" })).toMatchObject({ sessions: 1 });
    expect(await verifyApiKey(secret)).toBeNull();
    expect((await readDailyTables(db.url, doomed.id)).session_metrics).toEqual([]);
    expect(await code(admin.sites.get({ siteId: doomed.id }))).toBe("NOT_FOUND");
    // Its log files stay (they are the user's), and later passes skip them without complaint.
    const next = await runPass(db.url, logsDir);
    expect(next.eventsRead).toBe(0);
    expect((await readDailyTables(db.url, siteId)).session_metrics).toHaveLength(1);
  });
});
