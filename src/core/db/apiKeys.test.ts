// Real PostgreSQL (a migrated database of this test's own) and Redis (REDIS_URL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/db";
import { ApiKeyInputError, createApiKey, hashApiKey, listApiKeys, revokeApiKey, verifyApiKey } from "./apiKeys";
import { getRedis } from "../redis";
import { getPrisma } from "./client";
import { DEFAULT_SITE_ID } from "../sites/defaultSite";

const created: string[] = [];
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("apikeys");
  process.env.DATABASE_URL = db.url; // before the first getConfig()
});

async function newKey(scopes?: string[]) {
  const result = await createApiKey({ siteId: DEFAULT_SITE_ID, name: `apikeys-test ${Date.now()}`, scopes });
  created.push(result.key.id);
  return result;
}

async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(async () => {
  await getPrisma().apiKey.deleteMany({ where: { id: { in: created } } });
  await getPrisma().$disconnect();
  getRedis().disconnect();
  await db?.drop();
});

describe("createApiKey", () => {
  it("returns the secret once, stores only its SHA-256 and a visible prefix", async () => {
    const { key, secret } = await newKey();
    expect(secret).toMatch(/^sk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(`${key.prefix}_`)).toBe(true);
    expect(key.scopes).toEqual(["ingest"]);
    expect(key).not.toHaveProperty("hash");
    const row = await getPrisma().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.hash).toBe(hashApiKey(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(key.prefix.length + 1));
  });

  it("accepts read-only and both scopes, rejects unknown scopes and empty names", async () => {
    expect((await newKey(["read"])).key.scopes).toEqual(["read"]);
    expect((await newKey(["read", "ingest", "read"])).key.scopes).toEqual(["ingest", "read"]);
    await expect(createApiKey({ siteId: DEFAULT_SITE_ID, name: "x", scopes: ["write"] })).rejects.toThrow(ApiKeyInputError);
    await expect(createApiKey({ siteId: DEFAULT_SITE_ID, name: "x", scopes: [] })).rejects.toThrow(/at least one/);
    await expect(createApiKey({ siteId: DEFAULT_SITE_ID, name: "   " })).rejects.toThrow(/name/);
    await expect(createApiKey({ siteId: DEFAULT_SITE_ID, name: "a\u0000b" })).rejects.toThrow(/U\+0000/);
    await expect(createApiKey({ siteId: DEFAULT_SITE_ID, name: "tab\tname" })).rejects.toThrow(ApiKeyInputError);
  });
});

describe("publishable keys", () => {
  it("start with pk_, have no scopes, and say their kind and site when verified", async () => {
    const { key, secret } = await createApiKey({ siteId: DEFAULT_SITE_ID, name: "snippet", kind: "publishable" });
    created.push(key.id);
    expect(secret).toMatch(/^pk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ kind: "publishable", scopes: [], siteId: DEFAULT_SITE_ID, publicKey: secret });
    // Public by design (it sits in pages), so the keys page can show the snippet again.
    expect((await listApiKeys(DEFAULT_SITE_ID)).find((k) => k.id === key.id)?.publicKey).toBe(secret);
    expect(await verifyApiKey(secret)).toMatchObject({ id: key.id, kind: "publishable", siteId: DEFAULT_SITE_ID, scopes: [] });
    await expect(createApiKey({ siteId: DEFAULT_SITE_ID, name: "x", kind: "publishable", scopes: ["ingest"] })).rejects.toThrow(
      /publishable key has no scopes/,
    );
  });
});

describe("verifyApiKey", () => {
  it("returns the key for its secret and null for anything else", async () => {
    const { key, secret } = await newKey(["ingest", "read"]);
    const verified = await verifyApiKey(secret);
    expect(verified).toMatchObject({ id: key.id, prefix: key.prefix, scopes: ["ingest", "read"] });
    // Second call is served from the Redis cache and gives the same answer.
    expect(await verifyApiKey(secret)).toEqual(verified);
    expect(await verifyApiKey(`${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(await verifyApiKey("not-a-key")).toBeNull();
    expect(await verifyApiKey("")).toBeNull();
  });

  it("records last use without delaying verification", async () => {
    const { key, secret } = await newKey();
    expect(key.lastUsedAt).toBeNull();
    await verifyApiKey(secret);
    const row = await waitFor(async () => {
      const r = await getPrisma().apiKey.findUniqueOrThrow({ where: { id: key.id } });
      return r.lastUsedAt ? r : null;
    });
    const first = row.lastUsedAt!.getTime();
    await verifyApiKey(secret);
    await new Promise((r) => setTimeout(r, 200));
    const again = await getPrisma().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(again.lastUsedAt!.getTime()).toBe(first); // at most once a minute
  });
});

describe("revokeApiKey", () => {
  it("takes effect at once, even for a key whose record is cached (the cache is shared by all instances)", async () => {
    const { key, secret } = await newKey();
    expect(await verifyApiKey(secret)).not.toBeNull(); // now cached in Redis
    const revoked = await revokeApiKey(key.id);
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect(await verifyApiKey(secret)).toBeNull();
    // Revoking again keeps the first time.
    expect((await revokeApiKey(key.id))?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await revokeApiKey("00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await revokeApiKey("not-a-uuid")).toBeNull();
  });

  it("lists keys newest first, with prefix and revocation but never the hash", async () => {
    const a = await newKey();
    const b = await newKey();
    await revokeApiKey(a.key.id);
    const all = await listApiKeys(DEFAULT_SITE_ID);
    const ids = all.map((k) => k.id);
    expect(ids.indexOf(b.key.id)).toBeLessThan(ids.indexOf(a.key.id));
    expect(all.find((k) => k.id === a.key.id)?.revokedAt).toBeInstanceOf(Date);
    expect(all.every((k) => !("hash" in k))).toBe(true);
    const live = await listApiKeys(DEFAULT_SITE_ID, { includeRevoked: false });
    expect(live.some((k) => k.id === a.key.id)).toBe(false);
  });
});
