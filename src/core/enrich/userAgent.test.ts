import { describe, expect, it } from "vitest";
import { enrich } from "./index";
import { clearUserAgentCache, isBot, parseUserAgent, USER_AGENT_CACHE_SIZE, userAgentCacheSize } from "./userAgent";

// Real user agents, as the browsers named send them (late 2024 releases).
const FIXTURES = [
  {
    name: "Chrome on Windows",
    ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    want: { browser: "Chrome", browser_version: "131", os: "Windows", device: "desktop" },
  },
  {
    name: "Safari on iPhone",
    ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    want: { browser: "Safari", browser_version: "17", os: "iOS", device: "mobile" },
  },
  {
    name: "Safari on iPad",
    ua: "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
    want: { browser: "Safari", browser_version: "16", os: "iOS", device: "tablet" },
  },
  {
    name: "Chrome on iPad",
    ua: "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    want: { browser: "Chrome", browser_version: "131", os: "iOS", device: "tablet" },
  },
  {
    name: "an iPad app's web view with a Mac user agent that says Mobile",
    ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    want: { browser: "Safari", browser_version: "17", os: "iOS", device: "tablet" },
  },
  {
    name: "Firefox on Linux",
    ua: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    want: { browser: "Firefox", browser_version: "133", os: "Linux", device: "desktop" },
  },
  {
    name: "Firefox on Ubuntu",
    ua: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    want: { browser: "Firefox", browser_version: "133", os: "Linux", device: "desktop" },
  },
  {
    name: "Edge on Windows",
    ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    want: { browser: "Edge", browser_version: "131", os: "Windows", device: "desktop" },
  },
  {
    name: "Samsung Internet on a Galaxy S23",
    ua: "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
    want: { browser: "Samsung Internet", browser_version: "23", os: "Android", device: "mobile" },
  },
  {
    name: "Samsung Internet with the reduced Android user agent",
    ua: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
    want: { browser: "Samsung Internet", browser_version: "27", os: "Android", device: "mobile" },
  },
  {
    name: "Samsung Internet on a Galaxy Tab",
    ua: "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36",
    want: { browser: "Samsung Internet", browser_version: "23", os: "Android", device: "tablet" },
  },
  {
    name: "Chrome on Android",
    ua: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    want: { browser: "Chrome", browser_version: "131", os: "Android", device: "mobile" },
  },
  {
    name: "Chrome on an Android tablet (no 'Mobile')",
    ua: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    want: { browser: "Chrome", browser_version: "131", os: "Android", device: "tablet" },
  },
  {
    name: "Safari on macOS",
    ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    want: { browser: "Safari", browser_version: "18", os: "macOS", device: "desktop" },
  },
  {
    name: "Opera on Windows",
    ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
    want: { browser: "Opera", browser_version: "115", os: "Windows", device: "desktop" },
  },
  {
    name: "Chrome on ChromeOS",
    ua: "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    want: { browser: "Chrome", browser_version: "131", os: "ChromeOS", device: "desktop" },
  },
  {
    name: "Edge on Android",
    ua: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
    want: { browser: "Edge", browser_version: "131", os: "Android", device: "mobile" },
  },
  {
    name: "Firefox on Android",
    ua: "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
    want: { browser: "Firefox", browser_version: "133", os: "Android", device: "mobile" },
  },
  // Crawlers have no browser, OS or device to report (the collector counts them apart before this).
  {
    name: "Googlebot",
    ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    want: {},
  },
  {
    name: "Googlebot Smartphone (a Chrome user agent with Googlebot in it)",
    ua: "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    want: {},
  },
] as const;

describe("user agents", () => {
  it.each(FIXTURES)("$name", ({ ua, want }) => {
    expect({ ...parseUserAgent(ua) }).toEqual(want);
    const { browser, browser_version, os, device } = enrich({ userAgent: ua });
    expect({ browser, browser_version, os, device }).toEqual({
      browser: undefined,
      browser_version: undefined,
      os: undefined,
      device: undefined,
      ...want,
    });
  });

  it("omits what a user agent does not say", () => {
    expect(parseUserAgent("Mozilla/5.0 (compatible; Foo)")).toEqual({});
    expect(parseUserAgent("")).toEqual({});
    expect(parseUserAgent(undefined)).toEqual({});
    expect(parseUserAgent(42)).toEqual({});
    // A PlayStation is none of desktop, mobile, tablet.
    expect(parseUserAgent("Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)").device).toBeUndefined();
  });

  it("keeps only digits of a plausible major version", () => {
    expect(parseUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/1234567.0 Safari/537.36").browser_version).toBeUndefined();
  });

  it("ignores user agents over 1024 characters", () => {
    const long = FIXTURES[0].ua + " ".repeat(1024);
    expect(parseUserAgent(long)).toEqual({});
  });

  it("tells bots", () => {
    expect(isBot(FIXTURES.find((f) => f.name === "Googlebot")!.ua)).toBe(true);
    expect(isBot("curl/8.5.0")).toBe(true);
    expect(isBot(FIXTURES[0].ua)).toBe(false);
    expect(isBot(undefined)).toBe(false);
  });

  it("caches results in a bounded map, oldest out first", () => {
    clearUserAgentCache();
    const first = parseUserAgent(FIXTURES[0].ua);
    expect(parseUserAgent(FIXTURES[0].ua)).toBe(first);
    for (let i = 0; i < USER_AGENT_CACHE_SIZE + 10; i++) {
      parseUserAgent(`Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/${i}.0.0.0 Safari/537.36`);
    }
    expect(userAgentCacheSize()).toBe(USER_AGENT_CACHE_SIZE);
    // The first entry was evicted, so this parses anew: an equal result, a new object.
    const again = parseUserAgent(FIXTURES[0].ua);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    clearUserAgentCache();
  });
});
