import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * The daily salt of the cookieless visitor ids (docs/collector.md, "Visitors"). One random salt per
 * UTC day, kept only in Redis and deleted after SALT_TTL_SECONDS: with it gone, nobody (not even
 * the operator) can tell whether two days' visitors were the same person. The first request of a
 * day makes that day's salt (SET NX: every instance ends up with the same one) with a 48-hour
 * expiry. rotateSalts, run every hour by the ETL worker (workers/etl/main.ts), makes them ahead
 * and deletes any older than yesterday, whatever their expiry says.
 */
export const SALT_TTL_SECONDS = 48 * 3600;
const PREFIX = "pulse:salt:";

export function saltDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

const cache = new Map<string, Buffer>();

/** The salt of the UTC day of `now`, made if no instance has made it yet. */
export async function dailySalt(redis: Redis, now: number = Date.now()): Promise<Buffer> {
  const day = saltDay(now);
  const known = cache.get(day);
  if (known) return known;
  const key = PREFIX + day;
  await redis.set(key, randomBytes(32).toString("base64"), "EX", SALT_TTL_SECONDS, "NX");
  const stored = await redis.get(key);
  if (!stored) throw new Error(`the salt of ${day} vanished from Redis right after it was made`);
  const salt = Buffer.from(stored, "base64");
  cache.clear(); // only today's is ever needed
  cache.set(day, salt);
  return salt;
}

/** The rotation job: makes today's and tomorrow's salts, deletes any older than yesterday. Returns the days deleted. */
export async function rotateSalts(redis: Redis, now: number = Date.now()): Promise<string[]> {
  const today = saltDay(now);
  const yesterday = saltDay(now - 86_400_000);
  for (const day of [today, saltDay(now + 86_400_000)]) {
    await redis.set(PREFIX + day, randomBytes(32).toString("base64"), "EX", SALT_TTL_SECONDS, "NX");
  }
  const deleted: string[] = [];
  // SCAN, not KEYS: the database also holds a key per live visitor session, and KEYS would block it.
  for await (const keys of redis.scanStream({ match: `${PREFIX}*`, count: 1000 }) as AsyncIterable<string[]>) {
    for (const key of keys) {
      const day = key.slice(PREFIX.length);
      if (day < yesterday && !deleted.includes(day)) {
        await redis.del(key);
        deleted.push(day);
      }
    }
  }
  cache.clear();
  return deleted;
}
