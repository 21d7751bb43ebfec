/**
 * State changes over tRPC against next start, with a real session: a mutation runs only for a
 * same-origin JSON POST (src/server/api/mutationGuard.ts); an internal failure shows the client a
 * generic message while the log keeps the error with its stack.
 */
import { randomBytes } from "node:crypto";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/core/db/client";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { INTERNAL_ERROR_MESSAGE } from "@/server/api/trpc";
import { startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { closeCoreConnections, waitFor } from "../../support/ingest-env";
import { sessionCookie } from "../../support/session";

let db: TestDatabase;
let app: RunningApp;
let cookie: string;
const secret = randomBytes(32).toString("hex");

beforeAll(async () => {
  db = await createTestDatabase("dash_mutations");
  process.env.DATABASE_URL = db.url; // before the first getConfig(), so users and keys go there
  cookie = await sessionCookie(secret);
  app = await startApp({ name: "dash-mutations", env: { DATABASE_URL: db.url, AUTH_SECRET: secret, LOG_LEVEL: "warn" } });
});

afterAll(async () => {
  await app?.stop();
  await closeCoreConnections();
  await db?.drop();
});

const site = { siteId: DEFAULT_SITE_ID };
const createInput = (name: string) => JSON.stringify(superjson.serialize({ ...site, kind: "secret", name, scopes: ["read"] }));
const listUrl = () => `${app.url}/api/trpc/apiKeys.list?input=${encodeURIComponent(JSON.stringify(superjson.serialize(site)))}`;

function post(procedure: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${app.url}/api/trpc/${procedure}`, { method: "POST", headers: { cookie, ...headers }, body, redirect: "manual" });
}

const keyCount = () => getPrisma().apiKey.count();

describe("POST /api/trpc (mutations)", () => {
  it("refuses a cross-origin or Origin-less POST with 403, even with a valid session, and creates nothing", async () => {
    const json = { "content-type": "application/json" };
    for (const origin of ["https://evil.example", `${app.url}.evil.example`, "null", `http://localhost:${app.port}`, undefined]) {
      const res = await post("apiKeys.create", createInput("cross-origin"), origin === undefined ? json : { ...json, origin });
      expect(res.status, String(origin)).toBe(403);
      expect(await res.json()).toMatchObject({ error: "forbidden" });
    }
    // A batch goes through the same gate.
    const batch = await post(
      "apiKeys.create?batch=1",
      JSON.stringify({ 0: superjson.serialize({ ...site, kind: "secret", name: "batched", scopes: ["read"] }) }),
      {
        ...json,
        origin: "https://evil.example",
      },
    );
    expect(batch.status).toBe(403);
    expect(await keyCount()).toBe(0);
  });

  it("refuses form-encoded, multipart and text/plain bodies with 415 (403 when cross-origin too) and creates nothing", async () => {
    for (const contentType of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", undefined]) {
      const headers: Record<string, string> = { origin: app.url, ...(contentType ? { "content-type": contentType } : {}) };
      const res = await post("apiKeys.create", createInput("form"), headers);
      expect(res.status, String(contentType)).toBe(415);
      expect(await res.json()).toMatchObject({ error: "unsupported_media_type" });
    }
    // What an attacker's HTML form would send: their origin and a form body.
    const form = new FormData();
    form.set("name", "form");
    const res = await fetch(`${app.url}/api/trpc/etl.runNow`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
      body: form,
    });
    expect(res.status).toBe(403);
    expect(await keyCount()).toBe(0);
  });

  it("does not run a mutation sent as GET", async () => {
    const input = encodeURIComponent(createInput("over-get"));
    const res = await fetch(`${app.url}/api/trpc/apiKeys.create?input=${input}`, { headers: { cookie } });
    expect(res.status).toBe(405);
    expect(await keyCount()).toBe(0);
  });

  it("runs a same-origin JSON POST (create, then revoke), and queries over GET need no Origin", async () => {
    const res = await post("apiKeys.create", createInput("same-origin"), {
      origin: app.url,
      "content-type": "application/json; charset=utf-8",
    });
    expect(res.status).toBe(200);
    const created = superjson.deserialize<{ key: { id: string }; secret: string }>((await res.json()).result.data);
    expect(created.secret).toMatch(/^sk_/);
    expect(await keyCount()).toBe(1);

    const revoked = await post("apiKeys.revoke", JSON.stringify(superjson.serialize({ ...site, id: created.key.id })), {
      origin: app.url,
      "content-type": "application/json",
    });
    expect(revoked.status).toBe(200);
    expect((await getPrisma().apiKey.findUniqueOrThrow({ where: { id: created.key.id } })).revokedAt).not.toBeNull();

    const list = await fetch(listUrl(), { headers: { cookie } });
    expect(list.status).toBe(200);
  });
});

describe("an internal failure", () => {
  it("shows the client a generic message and logs the error with its stack", async () => {
    // PostgreSQL refuses the query: the table the procedure reads is gone for a moment.
    await queryRows(db.url, "ALTER TABLE api_keys RENAME TO api_keys_hidden");
    let res: Response;
    try {
      res = await fetch(listUrl(), { headers: { cookie } });
    } finally {
      await queryRows(db.url, "ALTER TABLE api_keys_hidden RENAME TO api_keys");
    }
    expect(res.status).toBe(500);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { json: { message: string; data: { code: string; stack?: string } } } };
    expect(body.error.json.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(body.error.json.data.code).toBe("INTERNAL_SERVER_ERROR");
    expect(body.error.json.data.stack).toBeUndefined();
    expect(text).not.toMatch(/api_keys|prisma|does not exist/i);

    const logged = await waitFor(
      async () =>
        app
          .output()
          .split("\n")
          .find((line) => line.includes('"tRPC procedure failed"')),
      (line) => line !== undefined,
      10_000,
    );
    const entry = JSON.parse(logged!) as { level: number; path: string; err: { message: string; stack: string } };
    expect(entry.level).toBe(50);
    expect(entry.path).toBe("apiKeys.list");
    expect(entry.err.message).toMatch(/api_keys/);
    expect(entry.err.stack).toMatch(/\n\s+at /);

    // And the procedure works again once the table is back.
    expect((await fetch(listUrl(), { headers: { cookie } })).status).toBe(200);
  });
});
