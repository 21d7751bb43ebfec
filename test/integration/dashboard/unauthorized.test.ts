/**
 * Without a session nothing of the dashboard answers: every tRPC procedure says UNAUTHORIZED (walked
 * from the router itself, so a procedure added later cannot be left open by mistake) and every page
 * redirects to the sign-in page (walked from the files under src/app).
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { encode } from "next-auth/jwt";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCaller } from "@/server/api/root";
import { REPO_ROOT, startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { closeCoreConnections } from "../../support/ingest-env";

/**
 * Procedures meant to be public: each is bound to an unguessable token (src/server/api/routers/public.ts).
 * Add one here only if it really must answer signed-out visitors, and test what it gives away.
 */
const PUBLIC_PROCEDURES = new Set<string>(["shared.site", "shared.report", "shared.breakdown", "invite.get", "invite.redeem"]);

type ProcedureType = "query" | "mutation" | "subscription";
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureType } }>).map(
  ([name, proc]) => ({ name, type: proc._def.type }),
);

/** Route paths of every page.tsx under src/app: route groups dropped, sign-in and dynamic segments skipped. */
async function pageRoutes(): Promise<string[]> {
  const appDir = path.join(REPO_ROOT, "src/app");
  const entries = await readdir(appDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /^page\.(t|j)sx?$/.test(e.name))
    .map((e) => {
      const segments = path
        .relative(appDir, e.parentPath)
        .split(path.sep)
        .filter((s) => s && !/^\(.*\)$/.test(s));
      return `/${segments.join("/")}`;
    })
    .filter((route) => route !== "/signin" && !route.includes("["));
}

it("the router walk sees the dashboard's procedures", () => {
  const names = procedures.map((p) => p.name);
  for (const expected of [
    "sites.list",
    "sites.update",
    "members.invite",
    "analytics.report",
    "analytics.breakdown",
    "etl.status",
    "etl.runNow",
    "etl.job",
    "apiKeys.list",
    "apiKeys.create",
    "apiKeys.revoke",
  ]) {
    expect(names).toContain(expected);
  }
  expect([...PUBLIC_PROCEDURES].filter((p) => !names.includes(p))).toEqual([]);
});

let db: TestDatabase;
beforeAll(async () => {
  // Public procedures look their token up: in this file's own database.
  db = await createTestDatabase("dash_unauthorized");
  process.env.DATABASE_URL = db.url;
});
afterAll(async () => {
  await closeCoreConnections();
  await db?.drop();
});

describe("in process, with no session in the context", () => {
  const caller = createCaller({ session: null, headers: new Headers() });
  it.each(procedures.filter((p) => !PUBLIC_PROCEDURES.has(p.name)))("$name ($type) answers UNAUTHORIZED", async ({ name }) => {
    const fn = name.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
      input?: unknown,
    ) => Promise<unknown>;
    // Inputs are deliberately wrong too: the session check must come before validation.
    const error = await fn({ bogus: true }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("UNAUTHORIZED");
  });
});

describe("over HTTP against the running app", () => {
  let app: RunningApp;
  const secret = randomBytes(32).toString("hex");

  beforeAll(async () => {
    app = await startApp({ name: "dash-unauthorized", env: { DATABASE_URL: db.url, AUTH_SECRET: secret, LOG_LEVEL: "warn" } });
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
  });

  async function call(name: string, type: ProcedureType, cookie?: string): Promise<Response> {
    const headers: Record<string, string> = cookie ? { cookie } : {};
    const input = encodeURIComponent(JSON.stringify(superjson.serialize({})));
    if (type === "query") return fetch(`${app.url}/api/trpc/${name}?input=${input}`, { headers, redirect: "manual" });
    return fetch(`${app.url}/api/trpc/${name}`, {
      method: "POST",
      // Same-origin JSON, so the session check (not the CSRF guard, mutations.test.ts) answers.
      headers: { ...headers, "content-type": "application/json", origin: app.url },
      body: JSON.stringify(superjson.serialize({})),
      redirect: "manual",
    });
  }

  async function expectUnauthorized(res: Response) {
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { json: { data: { code: string } } } };
    expect(body.error.json.data.code).toBe("UNAUTHORIZED");
  }

  it("every procedure answers 401 UNAUTHORIZED without a session cookie", async () => {
    for (const { name, type } of procedures.filter((p) => !PUBLIC_PROCEDURES.has(p.name) && p.type !== "subscription")) {
      await expectUnauthorized(await call(name, type));
    }
  });

  it("a session cookie signed with another secret is not a session", async () => {
    const forged = await encode({
      token: { sub: "00000000-0000-4000-8000-000000000000", email: "admin@example.com" },
      secret: "x".repeat(64),
    });
    for (const { name, type } of procedures.filter((p) => !PUBLIC_PROCEDURES.has(p.name) && p.type !== "subscription")) {
      await expectUnauthorized(await call(name, type, `next-auth.session-token=${forged}`));
    }
  });

  it("a correctly signed cookie for a user who does not exist is not a session either", async () => {
    const token = await encode({ token: { sub: "00000000-0000-4000-8000-000000000000", email: "ghost@example.com", pwv: "x" }, secret });
    await expectUnauthorized(await call("analytics.report", "query", `next-auth.session-token=${token}`));
  });

  it("every page redirects to the sign-in page", async () => {
    const routes = await pageRoutes();
    expect(routes).toEqual(expect.arrayContaining(["/"]));
    for (const route of routes) {
      const res = await fetch(`${app.url}${route}`, { redirect: "manual" });
      expect(res.status, route).toBeGreaterThanOrEqual(300);
      expect(res.status, route).toBeLessThan(400);
      expect(new URL(res.headers.get("location")!, app.url).pathname, route).toBe("/signin");
    }
  });

  it("the public procedures give nothing for a token that is not valid", async () => {
    const caller = createCaller({ session: null, headers: new Headers() });
    for (const token of ["x".repeat(32), "", "../../etc"]) {
      for (const call of [
        () => caller.shared.site({ token }),
        () => caller.shared.report({ token }),
        () => caller.shared.breakdown({ token, dimension: "country" }),
        () => caller.invite.get({ token }),
        () => caller.invite.redeem({ token, password: "long-enough-password" }),
      ]) {
        const error = await call().then(
          () => null,
          (err: unknown) => err,
        );
        expect((error as TRPCError).code).toBe("NOT_FOUND");
      }
    }
  });

  it("a shared link or invitation that does not exist is a 404 page, not a sign-in redirect", async () => {
    for (const route of [`/share/${"a".repeat(32)}`, `/invite/${"b".repeat(43)}`]) {
      const res = await fetch(`${app.url}${route}`, { redirect: "manual" });
      expect(res.status, route).toBe(404);
    }
  });

  it("the sign-in page itself answers, cannot be framed, and carries no server secret", async () => {
    const res = await fetch(`${app.url}/signin`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    expect(html).toContain("Sign in to Pulse");
    expect(html).not.toContain(secret);
  });

  it("the browser bundles hold no server configuration", async () => {
    const staticDir = path.resolve(REPO_ROOT, process.env.NEXT_DIST_DIR ?? ".next-test", "static");
    const files = (await readdir(staticDir, { recursive: true, withFileTypes: true })).filter(
      (e) => e.isFile() && /\.(js|css)$/.test(e.name),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(path.join(file.parentPath, file.name), "utf8");
      for (const needle of ["postgresql://", "redis://", "global_config.yaml", "AUTH_SECRET", "bcrypt"]) {
        expect(text.includes(needle), `${needle} in ${file.name}`).toBe(false);
      }
    }
  });
});
