import { RateLimiterRedis } from "rate-limiter-flexible";
import { getRedis } from "@/core/redis";
import { logger } from "@/core/logging/logger";

/** Failed sign-ins allowed per (email, client address) before the pair is refused until the window ends. */
const MAX_FAILURES = 10;
const WINDOW_SECONDS = 15 * 60;

const globalForLimiter = globalThis as unknown as { pulseSignInLimiter?: RateLimiterRedis };

function limiter(): RateLimiterRedis {
  if (!globalForLimiter.pulseSignInLimiter) {
    globalForLimiter.pulseSignInLimiter = new RateLimiterRedis({
      storeClient: getRedis(),
      keyPrefix: "pulse:signin-failures",
      points: MAX_FAILURES,
      duration: WINDOW_SECONDS,
    });
  }
  return globalForLimiter.pulseSignInLimiter;
}

/** The client's address as the app sees it (first X-Forwarded-For hop, which Next sets from the socket). */
export function clientAddress(headers: Record<string, unknown> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const first = typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined;
  return first || "unknown";
}

/**
 * Brute-force brake for the password form. When Redis is unreachable the check lets the attempt
 * through (and logs it): locking the admin out of the dashboard would be worse.
 */
export const signInAttempts = {
  async isBlocked(key: string): Promise<boolean> {
    try {
      const res = await limiter().get(key);
      return res !== null && res.consumedPoints >= MAX_FAILURES;
    } catch (err) {
      logger.warn({ err }, "sign-in limiter unavailable");
      return false;
    }
  },
  async recordFailure(key: string): Promise<void> {
    try {
      await limiter().consume(key);
    } catch {
      // Rejected consume = limit reached; the next attempt is refused by isBlocked.
    }
  },
  async reset(key: string): Promise<void> {
    try {
      await limiter().delete(key);
    } catch {
      // Best effort.
    }
  },
};
