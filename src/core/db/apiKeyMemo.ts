import { Redis } from "ioredis";
import { getConfig } from "../config";
import { logger } from "../logging/logger";
import type { VerifiedApiKey } from "./apiKeys";

/** Where a revocation is announced: the message is the key's hash. */
export const REVOKED_CHANNEL = "pulse:apikey:revoked";
/** A live key is believed from memory this long, and only while the revocation channel is listened to. */
const MEMO_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/** How long a revocation is remembered, so a lookup that started before it cannot store the key after it. */
const REVOCATION_MEMORY_MS = 60_000;

interface Memo {
  key: VerifiedApiKey;
  until: number;
}

/**
 * The in-process layer in front of the Redis key cache (src/core/db/apiKeys.ts): a live key found
 * once is answered from memory for 30 s, so the ingest path makes no Redis round trip for it. A
 * revocation is published on REVOKED_CHANNEL and every process drops the key at once; a process
 * whose subscription is down (or was: messages may have been missed) forgets everything and
 * uses Redis until it listens again. Unknown and revoked keys are not kept here: anyone can send
 * any number of made-up keys, and those stay one Redis GET each.
 */
class ApiKeyMemo {
  private readonly entries = new Map<string, Memo>();
  private readonly revokedAt = new Map<string, number>();
  private subscriber: Redis | null = null;
  private listening = false;

  get(hash: string, now = Date.now()): VerifiedApiKey | null {
    if (!this.listening) return null;
    const memo = this.entries.get(hash);
    if (!memo) return null;
    if (memo.until < now) {
      this.entries.delete(hash);
      return null;
    }
    return memo.key;
  }

  /** `lookupStartedAt`: when the lookup that found the key began; a revocation seen since wins. */
  set(hash: string, key: VerifiedApiKey, lookupStartedAt: number, now = Date.now()): void {
    this.listen();
    if (!this.listening) return;
    const revoked = this.revokedAt.get(hash);
    if (revoked !== undefined && revoked >= lookupStartedAt) return;
    // Oldest first out (a Map keeps insertion order).
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { key, until: now + MEMO_TTL_MS });
  }

  forget(hash: string, now = Date.now()): void {
    this.entries.delete(hash);
    // Delete first, so the map stays in the order of the revocations (oldest first).
    this.revokedAt.delete(hash);
    this.revokedAt.set(hash, now);
    for (const [h, at] of this.revokedAt) {
      if (at >= now - REVOCATION_MEMORY_MS) break;
      this.revokedAt.delete(h);
    }
  }

  /** Subscribes on first use; until the subscription is confirmed nothing is answered from memory. */
  private listen(): void {
    if (this.subscriber) return;
    const subscriber = new Redis(getConfig().redis.url, { maxRetriesPerRequest: null, connectTimeout: 2_000 });
    this.subscriber = subscriber;
    subscriber.on("error", (err: Error) => logger.debug({ err }, "api key revocation channel: connection error (retrying)"));
    subscriber.on("message", (_channel: string, hash: string) => this.forget(hash));
    // After a dropped connection, revocations sent meanwhile were missed: start from nothing.
    subscriber.on("close", () => {
      this.listening = false;
      this.entries.clear();
    });
    subscriber.on("ready", () => {
      subscriber.subscribe(REVOKED_CHANNEL).then(
        () => (this.listening = true),
        (err: unknown) => logger.warn({ err }, "could not subscribe to API key revocations"),
      );
    });
  }
}

const globalForMemo = globalThis as unknown as { pulseApiKeyMemo?: ApiKeyMemo };

export function apiKeyMemo(): ApiKeyMemo {
  globalForMemo.pulseApiKeyMemo ??= new ApiKeyMemo();
  return globalForMemo.pulseApiKeyMemo;
}
