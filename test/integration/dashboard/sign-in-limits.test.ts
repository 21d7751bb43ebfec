/**
 * Sign-in protection through the real app (our web server in front of Next, NextAuth, Redis,
 * PostgreSQL): per-account and per-address limits counted before the password check, the client
 * address from trusted proxies only, and sign-in refused while Redis is down.
 *
 * The apps use a redis-server of this file's own: the global counter spans all accounts for 15
 * minutes, so a shared Redis would carry other runs' attempts into this one. Password checks are
 * counted from the app's own log: one "bcrypt operation done" debug line per bcrypt operation.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_ERROR, SIGN_IN_LIMITS } from "@/core/auth/signIn";
import { createPrismaClient, type PrismaClient } from "@/core/db/client";
import { upsertUserWithPassword } from "@/core/db/users";
import { startApp, type RunningApp } from "../../support/app";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { startRedisServer, type RedisServer } from "../../support/redisServer";
import { attemptSignIn } from "../../support/signIn";

const PASSWORD = "correct-horse-battery-staple";
const run = randomBytes(4).toString("hex");
const email = (name: string) => `${name}-${run}@pulse.test`;
const LIMIT = SIGN_IN_LIMITS.perAccount;
/** Log lines are written before each answer but read from the app's pipe a moment later. */
const LOG_WAIT = { timeout: 15_000 };

let db: TestDatabase;
let prisma: PrismaClient;
let redis: RedisServer;

async function addUser(name: string): Promise<string> {
  const address = email(name);
  await upsertUserWithPassword(address, PASSWORD, prisma);
  return address;
}

function appEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: db.url, REDIS_URL: redis.url, AUTH_SECRET: randomBytes(32).toString("hex"), LOG_LEVEL: "debug", ...extra };
}

/** The app's pino lines with this message. */
function logLines(app: RunningApp, msg: string): Array<Record<string, unknown>> {
  return app
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return entry.msg === msg ? [entry] : [];
      } catch {
        return [];
      }
    });
}

const failedFor = (app: RunningApp, address: string) => logLines(app, "sign-in failed").filter((l) => l.email === address);

beforeAll(async () => {
  db = await createTestDatabase("dash_signin");
  prisma = createPrismaClient(db.url);
  redis = await startRedisServer();
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
  await redis?.stop();
});

describe("with no trusted proxies (the default)", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ name: "signin-direct", env: appEnv() });
  }, 300_000);
  afterAll(() => app?.stop());

  it("rotating X-Forwarded-For does not help: the account is blocked after its limit, even for the right password", async () => {
    const victim = await addUser("rotating");
    const errors: Array<string | null> = [];
    for (let i = 0; i < LIMIT + 4; i++) {
      const res = await attemptSignIn(app.url, {
        email: victim,
        password: `guess-${i}`,
        headers: { "x-forwarded-for": `203.0.113.${i + 1}` },
      });
      errors.push(res.error);
    }
    expect(errors).toEqual([...Array<string>(LIMIT).fill("CredentialsSignin"), ...Array<string>(4).fill(SIGN_IN_ERROR.tooManyAttempts)]);
    const right = await attemptSignIn(app.url, { email: victim, password: PASSWORD, headers: { "x-forwarded-for": "198.51.100.1" } });
    expect(right).toMatchObject({ error: SIGN_IN_ERROR.tooManyAttempts, session: null });
    // The header from an untrusted peer was ignored: every attempt counted for the socket's address.
    await expect.poll(() => failedFor(app, victim).length, LOG_WAIT).toBe(LIMIT);
    expect(new Set(failedFor(app, victim).map((l) => l.address))).toEqual(new Set(["127.0.0.1"]));
  });

  it("of 50 parallel wrong guesses at most the limit are checked, and another account signs in meanwhile", async () => {
    const victim = await addUser("parallel");
    const other = await addUser("other");
    const comparesBefore = logLines(app, "bcrypt operation done").length;
    const [otherResult, ...guesses] = await Promise.all([
      attemptSignIn(app.url, { email: other, password: PASSWORD }),
      ...Array.from({ length: 50 }, (_, i) => attemptSignIn(app.url, { email: victim, password: `parallel-guess-${i}` })),
    ]);
    expect(otherResult!.error).toBeNull();
    expect(otherResult!.session).toMatch(/^next-auth\.session-token=/);

    const checked = guesses.filter((g) => g.error === "CredentialsSignin").length;
    const refused = guesses.filter((g) => g.error === SIGN_IN_ERROR.tooManyAttempts).length;
    expect(checked + refused).toBe(50);
    expect(checked).toBeLessThanOrEqual(LIMIT);
    // Proof from the app itself: one bcrypt comparison per checked guess, plus the other account's.
    await expect.poll(() => failedFor(app, victim).length, LOG_WAIT).toBe(checked);
    await expect.poll(() => logLines(app, "bcrypt operation done").length - comparesBefore, LOG_WAIT).toBe(checked + 1);
  });

  it("ignores a client-sent copy of the private client-address header", async () => {
    const victim = await addUser("spoof");
    const res = await attemptSignIn(app.url, { email: victim, password: "wrong-password", headers: { "x-pulse-client-ip": "6.6.6.6" } });
    expect(res.error).toBe("CredentialsSignin");
    await expect.poll(() => failedFor(app, victim).map((l) => l.address), LOG_WAIT).toEqual(["127.0.0.1"]);
  });
});

describe("behind a trusted proxy (app.trusted_proxies = 127.0.0.1)", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ name: "signin-proxied", env: appEnv({ PULSE_APP_TRUSTED_PROXIES: "127.0.0.1" }) });
  }, 300_000);
  afterAll(() => app?.stop());

  it("takes the client address from X-Forwarded-For, walking from the right", async () => {
    const victim = await addUser("proxied");
    // The client wrote 6.6.6.6 itself; our proxy (127.0.0.1) appended the address it saw.
    await attemptSignIn(app.url, { email: victim, password: "wrong-password", headers: { "x-forwarded-for": "6.6.6.6, 198.51.100.20" } });
    await expect.poll(() => failedFor(app, victim).map((l) => l.address), LOG_WAIT).toEqual(["198.51.100.20"]);
  });

  it("limits the account however many addresses the guesses come from", async () => {
    const victim = await addUser("many-addresses");
    const errors: Array<string | null> = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      errors.push(
        (await attemptSignIn(app.url, { email: victim, password: `guess-${i}`, headers: { "x-forwarded-for": `203.0.113.${i + 1}` } }))
          .error,
      );
    }
    expect(errors).toEqual([...Array<string>(LIMIT).fill("CredentialsSignin"), ...Array<string>(3).fill(SIGN_IN_ERROR.tooManyAttempts)]);
    await expect.poll(() => new Set(failedFor(app, victim).map((l) => l.address)).size, LOG_WAIT).toBe(LIMIT);
    const refusals = () => logLines(app, "sign-in refused: too many attempts").filter((l) => l.email === victim);
    await expect.poll(() => refusals().map((l) => l.limit), LOG_WAIT).toEqual(["account", "account", "account"]);
  });

  it("guesses from elsewhere do not lock the owner out of the address they signed in from before", async () => {
    const owner = await addUser("owner");
    const home = { "x-forwarded-for": "192.0.2.10" };
    expect((await attemptSignIn(app.url, { email: owner, password: PASSWORD, headers: home })).session).not.toBeNull();
    for (let i = 0; i < LIMIT + 2; i++) {
      await attemptSignIn(app.url, { email: owner, password: `guess-${i}`, headers: { "x-forwarded-for": `203.0.113.${100 + i}` } });
    }
    const elsewhere = await attemptSignIn(app.url, { email: owner, password: PASSWORD, headers: { "x-forwarded-for": "198.51.100.77" } });
    expect(elsewhere.error).toBe(SIGN_IN_ERROR.tooManyAttempts);
    const atHome = await attemptSignIn(app.url, { email: owner, password: PASSWORD, headers: home });
    expect(atHome.error).toBeNull();
    expect(atHome.session).not.toBeNull();
  });
});

describe("while Redis is down", () => {
  let app: RunningApp;
  let ownRedis: RedisServer;

  beforeAll(async () => {
    ownRedis = await startRedisServer();
    app = await startApp({ name: "signin-redis-down", env: appEnv({ REDIS_URL: ownRedis.url }) });
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
    await ownRedis?.stop();
  });

  it("refuses sign-in as unavailable (never unchecked), and signs in again once Redis is back", async () => {
    const user = await addUser("redis-down");
    expect((await attemptSignIn(app.url, { email: user, password: PASSWORD })).session).not.toBeNull();

    await ownRedis.stop();
    for (const password of [PASSWORD, "wrong-password"]) {
      const res = await attemptSignIn(app.url, { email: user, password });
      expect(res).toMatchObject({ error: SIGN_IN_ERROR.unavailable, session: null });
    }
    await expect
      .poll(() => logLines(app, "sign-in limiter unavailable (Redis): refusing sign-in").length, LOG_WAIT)
      .toBeGreaterThanOrEqual(2);

    await ownRedis.start();
    await expect
      .poll(async () => (await attemptSignIn(app.url, { email: user, password: PASSWORD })).error, { timeout: 30_000, interval: 1_000 })
      .toBeNull();
  });
});
