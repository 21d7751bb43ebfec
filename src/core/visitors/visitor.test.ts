import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { visitorId } from "./visitor";

describe("visitorId", () => {
  const salt = randomBytes(32);
  const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
  const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

  it("is the same for the same site, address and user agent on one salt", () => {
    expect(visitorId(salt, "site-a", "203.0.113.7", chrome)).toBe(visitorId(salt, "site-a", "203.0.113.7", chrome));
    expect(visitorId(salt, "site-a", "203.0.113.7", chrome)).toMatch(/^v_[A-Za-z0-9_-]{22}$/);
  });

  it("differs by user agent behind one address, by site, and after the salt changes", () => {
    const base = visitorId(salt, "site-a", "203.0.113.7", chrome);
    expect(visitorId(salt, "site-a", "203.0.113.7", firefox)).not.toBe(base);
    expect(visitorId(salt, "site-b", "203.0.113.7", chrome)).not.toBe(base);
    expect(visitorId(randomBytes(32), "site-a", "203.0.113.7", chrome)).not.toBe(base);
  });

  it("holds neither the address nor the user agent", () => {
    const id = visitorId(salt, "site-a", "203.0.113.7", chrome);
    expect(id).not.toContain("203");
    expect(id.length).toBeLessThan(30);
  });
});
