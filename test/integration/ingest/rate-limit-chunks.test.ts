/**
 * The per-key limit far from and near its end (src/server/ingest/rateLimit.ts), against real Redis:
 * while much of the budget is left, a process takes a hundredth of it at once and counts requests
 * in memory; near the end it counts each one in Redis. In all, never more than the limit.
 */
import { randomUUID } from "node:crypto";
import { afterAll, expect, it } from "vitest";

const LIMIT = 1000;
// Before anything reads the settings (they are read once per process).
process.env.PULSE_INGEST_RATE_LIMIT_PER_MINUTE = String(LIMIT);
const { consumeEvents } = await import("@/server/ingest/rateLimit");
const { getRedis } = await import("@/core/redis");
const { closeCoreConnections } = await import("../../support/ingest-env");

afterAll(async () => {
  await closeCoreConnections();
});

const counted = async (key: string) => Number(await getRedis().get(`pulse:rl:ingest:${key}`));

it("takes the budget in chunks of a hundredth while it is far, every request near the end, and never more than the limit", async () => {
  const key = `test-${randomUUID()}`;
  expect((await consumeEvents(key, 1)).ok).toBe(true);
  // One chunk of 10 taken in Redis for the first event; the next nine come out of memory.
  expect(await counted(key)).toBe(10);
  for (let i = 0; i < 9; i++) expect((await consumeEvents(key, 1)).ok).toBe(true);
  expect(await counted(key)).toBe(10);
  expect((await consumeEvents(key, 1)).ok).toBe(true);
  expect(await counted(key)).toBe(20);

  let accepted = 11;
  for (let i = 0; i < LIMIT + 100; i++) if ((await consumeEvents(key, 1)).ok) accepted++;
  expect(accepted).toBeLessThanOrEqual(LIMIT);
  // Near the end every event is counted where all instances see it: nothing taken is left unused.
  expect(accepted).toBe(LIMIT);
  expect(await counted(key)).toBe(LIMIT);
  expect((await consumeEvents(key, 1)).ok).toBe(false);
});

it("a batch bigger than half a chunk is counted exactly", async () => {
  const key = `test-${randomUUID()}`;
  expect((await consumeEvents(key, 6)).ok).toBe(true);
  expect(await counted(key)).toBe(6);
});
