import { createHmac, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { dailySalt } from "./salt";

/**
 * Cookieless visitors and sessions, made on the server (docs/collector.md, "Visitors"):
 * - user_id: a keyed hash of (site, client address, user agent) with the day's salt, so the same
 *   browser is one user for a day and cannot be followed to the next; the address and user agent
 *   themselves are never stored anywhere;
 * - session_id: the visitor's current session, kept in Redis and dropped after SESSION_IDLE_MS
 *   without an event, so the next event starts a new one (with a server-made session_created).
 */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

export function visitorId(salt: Buffer, siteId: string, address: string, userAgent: string): string {
  const digest = createHmac("sha256", salt).update(`${siteId}\n${address}\n${userAgent}`).digest();
  return `v_${digest.subarray(0, 16).toString("base64url")}`;
}

// Atomic: of two events of one visitor arriving together, one starts the session, the other joins it.
const CURRENT_SESSION = `
local current = redis.call('GET', KEYS[1])
if current then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {current, 0}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], 1}`;

export interface VisitorSession {
  userId: string;
  sessionId: string;
  /** True for the first event of a session: the caller adds a session_created before it. */
  started: boolean;
}

type WithSessionScript = Redis & {
  pulseVisitorSession?: (key: string, fresh: string, idleMs: string) => Promise<[string, number]>;
};

/**
 * The visitor's session through the script, sent by its SHA-1 once Redis knows it (ioredis's
 * defineCommand) and auto-pipelined with the other requests' commands: EVAL, sent alone with the
 * whole script for every event, was 15% of /api/collect's time (src/core/redis.ts).
 */
function currentSession(redis: Redis, key: string, fresh: string): Promise<[string, number]> {
  const client = redis as WithSessionScript;
  if (!client.pulseVisitorSession) client.defineCommand("pulseVisitorSession", { numberOfKeys: 1, lua: CURRENT_SESSION });
  return client.pulseVisitorSession!(key, fresh, String(SESSION_IDLE_MS));
}

/** The visitor and their current session (a new one after SESSION_IDLE_MS without events). */
export async function visitorSession(
  redis: Redis,
  input: { siteId: string; address: string; userAgent: string },
  now: number = Date.now(),
): Promise<VisitorSession> {
  const userId = visitorId(await dailySalt(redis, now), input.siteId, input.address, input.userAgent);
  // randomUUID draws from a pool of random bytes; randomBytes(12) asked the system for each id (10%).
  const fresh = `c_${randomUUID()}`;
  const [sessionId, started] = await currentSession(redis, `pulse:visit:${input.siteId}:${userId}`, fresh);
  return { userId, sessionId, started: started === 1 };
}
