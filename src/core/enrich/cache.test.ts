import { describe, expect, it } from "vitest";
import { BoundedCache } from "./cache";

describe("BoundedCache", () => {
  it("keeps at most capacity entries and drops the oldest first", () => {
    const cache = new BoundedCache<number>(3);
    for (const [i, key] of ["a", "b", "c"].entries()) cache.set(key, i);
    cache.get("a"); // a hit does not make an entry younger
    cache.set("b", 10); // nor does setting a key again
    cache.set("d", 3);
    expect(cache.size).toBe(3);
    expect(cache.get("a")).toBeUndefined();
    expect([cache.get("b"), cache.get("c"), cache.get("d")]).toEqual([10, 2, 3]);
    cache.set("e", 4);
    expect(cache.get("b")).toBeUndefined();
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
    expect([cache.get("k97"), cache.get("k98"), cache.get("k99")]).toEqual([97, 98, 99]);
    cache.clear();
    expect(cache.size).toBe(0);
    cache.set("x", 1);
    expect(cache.get("x")).toBe(1);
  });
});
