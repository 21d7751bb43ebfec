import bcrypt from "bcryptjs";
import { afterAll, describe, expect, it } from "vitest";
import { BcryptBusyError, createBcryptPool } from "./bcryptPool";

// Cost 4 keeps the test fast; the pool does not care about the cost.
const HASH = bcrypt.hashSync("correct horse", 4);

describe("bcrypt pool", () => {
  const pool = createBcryptPool({ threads: 1, maxPending: 3 });
  afterAll(() => pool.close());

  it("checks and makes hashes that bcryptjs agrees with", async () => {
    expect(await pool.compare("correct horse", HASH)).toBe(true);
    expect(await pool.compare("wrong horse", HASH)).toBe(false);
    const made = await pool.hash("battery staple", 4);
    expect(made).toMatch(/^\$2b\$04\$/);
    expect(bcrypt.compareSync("battery staple", made)).toBe(true);
  });

  it("refuses work beyond its bound at once as busy, and takes work again once the queue drains", async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => pool.compare("correct horse", HASH)));
    const ok = results.filter((r) => r.status === "fulfilled");
    const busy = results.filter((r) => r.status === "rejected" && r.reason instanceof BcryptBusyError);
    expect(ok).toHaveLength(3);
    expect(busy).toHaveLength(5);
    expect(pool.pending()).toBe(0);
    expect(await pool.compare("correct horse", HASH)).toBe(true);
  });

  it("never matches a malformed hash, and carries on after one", async () => {
    expect(await pool.compare("x", "not-a-bcrypt-hash")).toBe(false);
    await expect(pool.compare("x", 42 as unknown as string)).rejects.toThrow(/illegal arguments/i);
    expect(await pool.compare("correct horse", HASH)).toBe(true);
  });

  it("starts a new thread when one died", async () => {
    const other = createBcryptPool({ threads: 1 });
    expect(await other.compare("correct horse", HASH)).toBe(true);
    await other.close();
    expect(await other.compare("correct horse", HASH)).toBe(true);
    await other.close();
  });
});
