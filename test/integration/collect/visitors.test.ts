/** Cookieless visitors against a real Redis (src/core/visitors): one user a day, a new one after the salt rotates. */
import { randomUUID } from "node:crypto";
import { afterAll, expect, it } from "vitest";
import { getRedis } from "@/core/redis";
import { rotateSalts, SALT_TTL_SECONDS } from "@/core/visitors/salt";
import { visitorSession } from "@/core/visitors/visitor";
import { closeCoreConnections } from "../../support/ingest-env";

const DAY = 86_400_000;
const visitor = { siteId: randomUUID(), address: "203.0.113.9", userAgent: "Mozilla/5.0 Test" };

afterAll(async () => {
  await closeCoreConnections();
});

it("the same browser twice in a day is one user; the next day, after the salt rotated, another", async () => {
  const day1 = Date.parse("2031-03-03T10:00:00Z");
  const first = await visitorSession(getRedis(), visitor, day1);
  const again = await visitorSession(getRedis(), visitor, day1 + 3_600_000);
  expect(again.userId).toBe(first.userId);
  expect(first.started).toBe(true);
  expect(again).toMatchObject({ sessionId: first.sessionId, started: false });
  const nextDay = await visitorSession(getRedis(), visitor, day1 + DAY);
  expect(nextDay.userId).not.toBe(first.userId);
  expect(nextDay.started).toBe(true);
});

it("keeps one session per visitor when Redis forgot the script (restarted or SCRIPT FLUSH) under concurrent events", async () => {
  const redis = getRedis();
  const now = Date.parse("2031-05-05T10:00:00Z");
  for (let round = 0; round < 10; round++) {
    // Thirty new visitors at once (one pipeline), then the scripts are flushed, then two events each.
    const people = Array.from({ length: 30 }, () => ({ ...visitor, siteId: randomUUID() }));
    const first = await Promise.all(people.map((p) => visitorSession(redis, p, now)));
    expect(first.every((s) => s.started)).toBe(true);
    await redis.script("FLUSH");
    const again = await Promise.all(people.flatMap((p) => [visitorSession(redis, p, now + 1_000), visitorSession(redis, p, now + 1_000)]));
    again.forEach((s, i) => expect(s).toMatchObject({ sessionId: first[i >> 1]!.sessionId, started: false }));
  }
  // Ten events of a new visitor at once: exactly one starts the session, all share it.
  const other = { ...visitor, siteId: randomUUID() };
  const together = await Promise.all(Array.from({ length: 10 }, () => visitorSession(redis, other, now)));
  expect(new Set(together.map((s) => s.sessionId)).size).toBe(1);
  expect(together.filter((s) => s.started)).toHaveLength(1);
});

it("the rotation keeps yesterday's and today's salts, makes tomorrow's, deletes older, and none lives over 48 h", async () => {
  const redis = getRedis();
  const now = Date.parse("2031-04-10T00:05:00Z");
  await redis.set("pulse:salt:2031-04-07", "old", "EX", SALT_TTL_SECONDS);
  await redis.set("pulse:salt:2031-04-09", "yesterday", "EX", SALT_TTL_SECONDS);
  const deleted = await rotateSalts(redis, now);
  expect(deleted).toContain("2031-04-07");
  expect(await redis.get("pulse:salt:2031-04-09")).toBe("yesterday");
  for (const day of ["2031-04-10", "2031-04-11"]) {
    const ttl = await redis.ttl(`pulse:salt:${day}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(SALT_TTL_SECONDS);
  }
});
