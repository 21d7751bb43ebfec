import { createHash, randomBytes } from "node:crypto";
import { textProblem } from "../events/text";
import { getRedis } from "../redis";
import { logger } from "../logging/logger";
import { apiKeyMemo, REVOKED_CHANNEL } from "./apiKeyMemo";
import { getPrisma } from "./client";

/**
 * API keys: created with their secret shown once, stored as SHA-256 + a short visible prefix.
 *
 * Verification is on the hot path of every ingest request, and revocation must hold at once for
 * every web instance. So the key records are cached in Redis (shared by all instances), not in
 * process memory:
 * - verify = one Redis GET of `pulse:apikey:<hash>` (no database query while cached);
 *   on a miss, one PostgreSQL query, then SET NX with a TTL;
 * - revoke = database update, then an unconditional SET of a "revoked" tombstone, so the very next
 *   verify on any instance sees it. Because the fill uses NX, a verify that read the database just
 *   before the revoke cannot overwrite the tombstone with the stale record;
 * - if Redis is unreachable, verify falls back to the database (slower, still correct).
 * Unknown hashes are cached briefly as well, so guessing keys cannot turn into database load.
 */

/** ingest: POST /api/events; read: GET /api/analytics and health details; backfill: event_time older than ingest.max_past_days. */
export type ApiKeyScope = "ingest" | "read" | "backfill";
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ["ingest", "read", "backfill"];

/** secret (sk_…) for servers; publishable (pk_…) for web pages, /api/collect only (docs/security.md, "Keys"). */
export type ApiKeyKind = "secret" | "publishable";

export interface ApiKeyRecord {
  id: string;
  siteId: string;
  kind: ApiKeyKind;
  name: string;
  /** The visible start of the key, e.g. "sk_3f9a2c1b". */
  prefix: string;
  /** Empty for a publishable key (it can only collect). */
  scopes: ApiKeyScope[];
  /** The whole key of a publishable key (public: it is in the site's pages); null for a secret key. */
  publicKey: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** What verify returns for a live key: enough to authorise and rate-limit a request. */
export interface VerifiedApiKey {
  id: string;
  siteId: string;
  kind: ApiKeyKind;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
}

export interface CreatedApiKey {
  key: ApiKeyRecord;
  /** The whole key. Shown to the user once; only its hash is stored. */
  secret: string;
}

export class ApiKeyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiKeyInputError";
  }
}

/**
 * sk_|pk_<8 hex>_<43 base64url chars> (32 random bytes). Keys made before sites existed start with
 * pk_ too but are secret keys (their kind is in the database, not in the prefix).
 */
const KEY_PATTERN = /^(?:sk|pk)_[0-9a-f]{8}_[A-Za-z0-9_-]{32,128}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NAME_LENGTH = 100;
// v2: entries carry the site and kind; entries cached by the version before sites are not read.
const CACHE_PREFIX = "pulse:apikey:v2:";
const LIVE_TTL_SECONDS = 300;
const REVOKED_TTL_SECONDS = 86_400;
const UNKNOWN_TTL_SECONDS = 60;
const LAST_USED_INTERVAL_MS = 60_000;

type CacheEntry = { s: "live"; k: VerifiedApiKey } | { s: "revoked" } | { s: "unknown" };

const selectRecord = {
  id: true,
  siteId: true,
  kind: true,
  name: true,
  prefix: true,
  scopes: true,
  publicKey: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Whether a string has the shape of one of our keys (cheap check before any lookup). */
export function looksLikeApiKey(secret: string): boolean {
  return KEY_PATTERN.test(secret);
}

function generateSecret(kind: ApiKeyKind): { prefix: string; secret: string } {
  const prefix = `${kind === "secret" ? "sk" : "pk"}_${randomBytes(4).toString("hex")}`;
  return { prefix, secret: `${prefix}_${randomBytes(32).toString("base64url")}` };
}

function normaliseScopes(scopes: readonly string[] | undefined): ApiKeyScope[] {
  const list = scopes === undefined ? ["ingest"] : [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
  if (list.length === 0) throw new ApiKeyInputError(`scopes must name at least one of: ${API_KEY_SCOPES.join(", ")}`);
  const bad = list.filter((s) => !API_KEY_SCOPES.includes(s as ApiKeyScope));
  if (bad.length > 0) {
    throw new ApiKeyInputError(`unknown scope${bad.length > 1 ? "s" : ""} ${bad.join(", ")} (allowed: ${API_KEY_SCOPES.join(", ")})`);
  }
  return API_KEY_SCOPES.filter((s) => list.includes(s));
}

async function cacheGet(hash: string): Promise<CacheEntry | null | undefined> {
  try {
    const raw = await getRedis().get(CACHE_PREFIX + hash);
    return raw === null ? null : (JSON.parse(raw) as CacheEntry);
  } catch (err) {
    logger.debug({ err }, "api key cache read failed; using the database");
    return undefined;
  }
}

async function cacheFill(hash: string, entry: CacheEntry): Promise<void> {
  const ttl = entry.s === "live" ? LIVE_TTL_SECONDS : entry.s === "revoked" ? REVOKED_TTL_SECONDS : UNKNOWN_TTL_SECONDS;
  try {
    await getRedis().set(CACHE_PREFIX + hash, JSON.stringify(entry), "EX", ttl, "NX");
  } catch {
    // The cache is an optimisation; the database stays the truth.
  }
}

// ---- last used ---------------------------------------------------------------------------

const lastUsedWritten = new Map<string, number>();

/** Records use at most once a minute per key and process, without delaying the request. */
function touchLastUsed(id: string): void {
  const now = Date.now();
  const previous = lastUsedWritten.get(id);
  if (previous !== undefined && now - previous < LAST_USED_INTERVAL_MS) return;
  lastUsedWritten.set(id, now);
  const at = new Date(now);
  setImmediate(() => {
    getPrisma()
      .apiKey.updateMany({
        // Other instances may have written it moments ago; skip the write then.
        where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_INTERVAL_MS / 2) } }] },
        data: { lastUsedAt: at },
      })
      .catch((err: unknown) => {
        lastUsedWritten.delete(id);
        logger.warn({ err, apiKeyId: id }, "could not record API key use");
      });
  });
}

// ---- public API --------------------------------------------------------------------------

export async function createApiKey(input: {
  siteId: string;
  name: string;
  kind?: ApiKeyKind;
  scopes?: readonly string[];
}): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (name.length === 0) throw new ApiKeyInputError("name must not be empty");
  if (name.length > MAX_NAME_LENGTH) throw new ApiKeyInputError(`name must be at most ${MAX_NAME_LENGTH} characters`);
  // PostgreSQL refuses U+0000 outright (a 500 otherwise); other control characters only garble the list.
  const problem = textProblem(name, "id");
  if (problem) throw new ApiKeyInputError(`name ${problem}`);
  const kind = input.kind ?? "secret";
  if (kind === "publishable" && input.scopes && input.scopes.length > 0) {
    throw new ApiKeyInputError("a publishable key has no scopes: it only collects events from the site's pages (/api/collect)");
  }
  const scopes = kind === "publishable" ? [] : normaliseScopes(input.scopes);
  // The 32-bit prefix is unique in the table; on the rare collision, draw again.
  for (let attempt = 0; ; attempt++) {
    const { prefix, secret } = generateSecret(kind);
    try {
      const key = await getPrisma().apiKey.create({
        data: {
          siteId: input.siteId,
          kind,
          name,
          prefix,
          hash: hashApiKey(secret),
          scopes,
          publicKey: kind === "publishable" ? secret : null,
        },
        select: selectRecord,
      });
      return { key, secret };
    } catch (err) {
      if ((err as { code?: string }).code === "P2002" && attempt < 5) continue;
      throw err;
    }
  }
}

/** A site's keys, newest first; revoked ones too unless `includeRevoked` is false. */
export async function listApiKeys(siteId: string, options: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
  return getPrisma().apiKey.findMany({
    where: { siteId, ...(options.includeRevoked === false ? { revokedAt: null } : {}) },
    orderBy: { createdAt: "desc" },
    select: selectRecord,
  });
}

/**
 * Revokes a key; from when this returns, every instance answers 401 for it. Returns the record
 * (already-revoked keys keep their first revocation time), or null when no key has that id.
 */
export async function revokeApiKey(id: string, siteId?: string): Promise<ApiKeyRecord | null> {
  if (!UUID_PATTERN.test(id)) return null;
  const prisma = getPrisma();
  const found = await prisma.apiKey.findUnique({ where: { id }, select: { hash: true, revokedAt: true, siteId: true } });
  // A key of another site is "not found" for a caller scoped to one site.
  if (!found || (siteId !== undefined && found.siteId !== siteId)) return null;
  const key = found.revokedAt
    ? await prisma.apiKey.findUniqueOrThrow({ where: { id }, select: selectRecord })
    : await prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, select: selectRecord });
  const tombstone: CacheEntry = { s: "revoked" };
  apiKeyMemo().forget(found.hash);
  try {
    await getRedis().set(CACHE_PREFIX + found.hash, JSON.stringify(tombstone), "EX", REVOKED_TTL_SECONDS);
    // Every process that holds the key in memory drops it now (src/core/db/apiKeyMemo.ts).
    await getRedis().publish(REVOKED_CHANNEL, found.hash);
  } catch (err) {
    // Verify falls back to the database while Redis is down, and a stale live entry expires
    // after LIVE_TTL_SECONDS at the latest; say so loudly.
    logger.error({ err, apiKeyId: id }, "API key revoked in the database but the Redis cache could not be updated");
  }
  return key;
}

/**
 * The live key for a presented secret, or null when it is malformed, unknown or revoked.
 * A key in use is answered from memory (apiKeyMemo, dropped on revocation), else usually one Redis
 * GET; marks the key as used (at most once a minute, off the request path).
 */
export async function verifyApiKey(secret: string): Promise<VerifiedApiKey | null> {
  if (!looksLikeApiKey(secret)) return null;
  const hash = hashApiKey(secret);
  const memo = apiKeyMemo();
  const lookupStartedAt = Date.now();
  const remembered = memo.get(hash);
  if (remembered) {
    touchLastUsed(remembered.id);
    return remembered;
  }
  let entry = await cacheGet(hash);
  if (!entry) {
    const fromRedis = entry === null;
    const row = await getPrisma().apiKey.findUnique({
      where: { hash },
      select: { id: true, siteId: true, kind: true, name: true, prefix: true, scopes: true, revokedAt: true },
    });
    entry = !row
      ? { s: "unknown" }
      : row.revokedAt
        ? { s: "revoked" }
        : { s: "live", k: { id: row.id, siteId: row.siteId, kind: row.kind, name: row.name, prefix: row.prefix, scopes: row.scopes } };
    if (fromRedis) void cacheFill(hash, entry);
  }
  if (entry.s !== "live") return null;
  memo.set(hash, entry.k, lookupStartedAt);
  touchLastUsed(entry.k.id);
  return entry.k;
}
