/**
 * Brute-force brakes for the password form, in Redis so every instance shares them
 * (docs/security.md, "Sign-in protection").
 *
 * Every attempt is charged BEFORE its password is checked, with Redis's atomic increment, so
 * parallel guesses cannot slip past a limit between check and count. The limits, in order:
 *   1. per (account, client address)   cleared by a successful sign-in;
 *   2. per account                     no header changes it, so rotating addresses does not help;
 *   3. global, across all accounts     password spraying, and the bcrypt work it would cause.
 * 2 and 3 are charged only after the earlier ones passed, so hammering one account cannot use up
 * the global budget, and they are skipped for an address where the account signed in within the
 * last weeks: guesses from elsewhere then cannot lock the owner out from their usual place (1
 * still applies there). Sizes: SIGN_IN_LIMITS in src/core/auth/signIn.ts.
 *
 * Redis unreachable means "unavailable": sign-in is refused, never let through unchecked.
 */
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { SIGN_IN_LIMITS } from "@/core/auth/signIn";
import { logger } from "@/core/logging/logger";
import { getRedis } from "@/core/redis";

export type SignInAdmission =
  | { ok: true }
  | { ok: false; reason: "too_many"; limit: "address" | "account" | "global"; retryAfterSeconds: number }
  | { ok: false; reason: "unavailable" };

export interface SignInLimiter {
  /** Charges one attempt; ok means the password may be checked now. */
  admit(email: string, address: string): Promise<SignInAdmission>;
  /** After a correct password: clears the (account, address) counter and remembers the address. */
  succeeded(email: string, address: string): Promise<void>;
}

type Limits = { [K in keyof typeof SIGN_IN_LIMITS]: number };

/** How long an attempt waits for a connection that is being (re)made before it counts as down. */
const CONNECT_WAIT_MS = 1_500;

const connecting = new WeakMap<Redis, Promise<boolean>>();

/** Whether the connection is ready, waiting briefly while it is being made (e.g. the first sign-in). */
function whenReady(redis: Redis): Promise<boolean> {
  if (redis.status === "ready") return Promise.resolve(true);
  if (redis.status === "end") return Promise.resolve(false);
  // One wait per connection, however many attempts arrive meanwhile.
  let wait = connecting.get(redis);
  if (!wait) {
    wait = new Promise<boolean>((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        redis.off("ready", onReady);
        connecting.delete(redis);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), CONNECT_WAIT_MS);
      redis.once("ready", onReady);
    });
    connecting.set(redis, wait);
  }
  return wait;
}

export function createSignInLimiter({
  redis,
  prefix = "pulse:signin",
  limits = SIGN_IN_LIMITS,
}: {
  redis: Redis;
  prefix?: string;
  limits?: Limits;
}): SignInLimiter {
  const make = (name: string, points: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:${name}`,
      points,
      duration: limits.windowSeconds,
      // Fail at once while the connection is down instead of waiting for ioredis's retries.
      rejectIfRedisNotReady: true,
    });
  const byAddress = make("address", limits.perAddress);
  const byAccount = make("account", limits.perAccount);
  const everyone = make("global", limits.global);
  const knownKey = (email: string, address: string) => `${prefix}:known:${email}|${address}`;

  return {
    async admit(email, address) {
      let limit: "address" | "account" | "global" = "address";
      try {
        if (!(await whenReady(redis))) throw new Error(`Redis connection is ${redis.status}`);
        const known = (await redis.exists(knownKey(email, address))) === 1;
        await byAddress.consume(`${email}|${address}`);
        if (!known) {
          limit = "account";
          await byAccount.consume(email);
          limit = "global";
          await everyone.consume("all");
        }
        return { ok: true };
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          return { ok: false, reason: "too_many", limit, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
        }
        logger.error({ err }, "sign-in limiter unavailable (Redis): refusing sign-in");
        return { ok: false, reason: "unavailable" };
      }
    },
    async succeeded(email, address) {
      try {
        await byAddress.delete(`${email}|${address}`);
        await redis.set(knownKey(email, address), "1", "EX", limits.knownAddressDays * 86_400);
      } catch (err) {
        // The sign-in itself succeeded; only the bookkeeping is lost.
        logger.warn({ err }, "could not record a successful sign-in in Redis");
      }
    },
  };
}

const globalForLimiter = globalThis as unknown as { pulseSignInLimiter?: SignInLimiter };

/** The app's limiter, on the shared Redis connection. */
export function getSignInLimiter(): SignInLimiter {
  globalForLimiter.pulseSignInLimiter ??= createSignInLimiter({ redis: getRedis() });
  return globalForLimiter.pulseSignInLimiter;
}
