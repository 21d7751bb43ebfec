// The sign-in limits against real Redis (REDIS_URL; tests use DB 15), each test under a key prefix of its own.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "@/core/config";
import { freePort } from "../../../test/support/app";
import { createSignInLimiter, type SignInAdmission } from "./signInLimiter";

const redis = new Redis(getConfig().redis.url, { maxRetriesPerRequest: 1 });
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

function limiter(limits: { perAddress: number; perAccount: number; global: number }) {
  const prefix = `pulse:test:signin:${randomBytes(4).toString("hex")}`;
  prefixes.push(prefix);
  return createSignInLimiter({ redis, prefix, limits: { windowSeconds: 60, knownAddressDays: 1, ...limits } });
}

const verdicts = (results: SignInAdmission[]) =>
  results.map((r) => (r.ok ? "ok" : r.reason === "too_many" ? `too_many:${r.limit}` : r.reason));

describe("sign-in limiter", () => {
  it("charges before the check: of 30 parallel attempts exactly the limit are let through", async () => {
    const l = limiter({ perAddress: 5, perAccount: 100, global: 100 });
    const results = await Promise.all(Array.from({ length: 30 }, () => l.admit("a@example.com", "198.51.100.1")));
    expect(verdicts(results).filter((v) => v === "ok")).toHaveLength(5);
    expect(verdicts(results).filter((v) => v === "too_many:address")).toHaveLength(25);
  });

  it("limits an account however its addresses rotate", async () => {
    const l = limiter({ perAddress: 5, perAccount: 3, global: 100 });
    const results: SignInAdmission[] = [];
    for (let i = 0; i < 6; i++) results.push(await l.admit("a@example.com", `203.0.113.${i}`));
    expect(verdicts(results)).toEqual(["ok", "ok", "ok", "too_many:account", "too_many:account", "too_many:account"]);
    expect(results[3]).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    // Another account is not affected.
    expect((await l.admit("b@example.com", "203.0.113.9")).ok).toBe(true);
  });

  it("attempts refused for one account do not spend the global budget", async () => {
    const l = limiter({ perAddress: 100, perAccount: 3, global: 5 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => l.admit("victim@example.com", `203.0.113.${i}`)));
    // 3 of the 50 reached the global counter; 2 places are left for everyone else.
    expect((await l.admit("b@example.com", "198.51.100.2")).ok).toBe(true);
    expect((await l.admit("c@example.com", "198.51.100.3")).ok).toBe(true);
    expect(await l.admit("d@example.com", "198.51.100.4")).toMatchObject({ ok: false, limit: "global" });
  });

  it("an address where the account signed in is exempt from the account and global limits, not from its own", async () => {
    const l = limiter({ perAddress: 3, perAccount: 2, global: 2 });
    expect((await l.admit("owner@example.com", "192.0.2.10")).ok).toBe(true);
    await l.succeeded("owner@example.com", "192.0.2.10");
    // Guesses from elsewhere use up the account's and everyone's budget...
    for (let i = 0; i < 5; i++) await l.admit("owner@example.com", `203.0.113.${i}`);
    expect(await l.admit("owner@example.com", "203.0.113.99")).toMatchObject({ ok: false, limit: "account" });
    expect(await l.admit("someone@example.com", "203.0.113.98")).toMatchObject({ ok: false, limit: "global" });
    // ...but the owner still gets in from their usual address, within its own limit.
    expect(verdicts(await Promise.all([1, 2, 3, 4].map(() => l.admit("owner@example.com", "192.0.2.10"))))).toEqual([
      "ok",
      "ok",
      "ok",
      "too_many:address",
    ]);
  });

  it("a successful sign-in clears the (account, address) counter", async () => {
    const l = limiter({ perAddress: 2, perAccount: 100, global: 100 });
    await l.admit("a@example.com", "198.51.100.1");
    await l.admit("a@example.com", "198.51.100.1");
    expect((await l.admit("a@example.com", "198.51.100.1")).ok).toBe(false);
    await l.succeeded("a@example.com", "198.51.100.1");
    expect((await l.admit("a@example.com", "198.51.100.1")).ok).toBe(true);
  });

  it("is unavailable, not open, when Redis cannot be reached", async () => {
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}/0`, { maxRetriesPerRequest: 1, connectTimeout: 500 });
    dead.on("error", () => {});
    try {
      const l = createSignInLimiter({ redis: dead, prefix: "pulse:test:signin:dead" });
      expect(await l.admit("a@example.com", "198.51.100.1")).toEqual({ ok: false, reason: "unavailable" });
      expect(await l.admit("a@example.com", "198.51.100.1")).toEqual({ ok: false, reason: "unavailable" });
    } finally {
      dead.disconnect();
    }
  });
});
