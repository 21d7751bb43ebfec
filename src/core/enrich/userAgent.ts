/**
 * Browser, major version, OS and device class from the User-Agent header (docs/enrichment.md,
 * "User agent"), parsed with bowser (MIT). User agents repeat a lot (one browser release covers
 * most visitors), so results are kept in a bounded map and the hot path is one lookup.
 */
import Bowser from "bowser";
import { isbot } from "isbot";
import { BoundedCache } from "./cache";
import { cleanText } from "./text";

export type Device = "desktop" | "mobile" | "tablet";

export interface UserAgentInfo {
  browser?: string;
  browser_version?: string;
  os?: string;
  device?: Device;
}

/** Longer user agents are not parsed: real ones are a few hundred characters. */
export const MAX_USER_AGENT_LENGTH = 1024;
/** Distinct user agents kept; the oldest entry goes first when full. */
export const USER_AGENT_CACHE_SIZE = 5000;

const NOTHING: Readonly<UserAgentInfo> = Object.freeze({});
const cache = new BoundedCache<Readonly<UserAgentInfo>>(USER_AGENT_CACHE_SIZE);

/** bowser's names → the names the dashboard shows (short, and the same across platforms). */
const BROWSER_NAMES: Readonly<Record<string, string>> = {
  "Microsoft Edge": "Edge",
  "Samsung Internet for Android": "Samsung Internet",
  "Amazon Silk": "Silk",
};
const OS_NAMES: Readonly<Record<string, string>> = {
  "Chrome OS": "ChromeOS",
};
const DESKTOP_OSES: ReadonlySet<string> = new Set(["Windows", "macOS", "Linux", "ChromeOS"]);

/** Crawlers and HTTP libraries, by isbot (the same test the collector filters with). */
export function isBot(userAgent: unknown): boolean {
  return typeof userAgent === "string" && userAgent.length > 0 && isbot(userAgent);
}

/** "131.0.6778.85" → "131"; undefined when it does not start with a plausible number. */
function majorVersion(version: string | undefined): string | undefined {
  const major = /^(\d{1,6})(?!\d)/.exec(version ?? "");
  return major ? major[1] : undefined;
}

function parse(userAgent: string): Readonly<UserAgentInfo> {
  // Bots are counted apart before ingest; if one gets here, it has no browser, OS or device to report.
  if (isbot(userAgent)) return NOTHING;
  const parser = Bowser.getParser(userAgent);
  const { name, version } = parser.getBrowser();
  let os = parser.getOSName();
  let platform = parser.getPlatformType();
  // iPads in some apps send a Mac user agent that still says "Mobile/…": no Mac is a phone.
  if (os === "macOS" && (platform === "mobile" || platform === "tablet")) {
    os = "iOS";
    platform = "tablet";
  }
  os = OS_NAMES[os] ?? os;
  // bowser's last resort names the browser by the first "name/version" token: for "Mozilla/5.0
  // (…)" that says nothing.
  const browser = name && name !== "Mozilla" ? cleanText(BROWSER_NAMES[name] ?? name) : undefined;
  let device: Device | undefined;
  if (platform === "desktop" || platform === "mobile" || platform === "tablet") device = platform;
  else if (!platform && DESKTOP_OSES.has(os)) device = "desktop";
  // TVs, consoles and unknown platforms have no device class of the three.
  const info: UserAgentInfo = {};
  if (browser) {
    info.browser = browser;
    const major = majorVersion(version);
    if (major) info.browser_version = major;
  }
  const osName = cleanText(os);
  if (osName) info.os = osName;
  if (device) info.device = device;
  return Object.freeze(info);
}

/** The user agent's browser, major version, OS and device; fields that cannot be known are omitted. */
export function parseUserAgent(userAgent: unknown): Readonly<UserAgentInfo> {
  if (typeof userAgent !== "string" || userAgent.length === 0 || userAgent.length > MAX_USER_AGENT_LENGTH) return NOTHING;
  const hit = cache.get(userAgent);
  if (hit) return hit;
  let info: Readonly<UserAgentInfo>;
  try {
    info = parse(userAgent);
  } catch {
    // A parser bug on one odd string must not cost the event.
    info = NOTHING;
  }
  cache.set(userAgent, info);
  return info;
}

/** Empties the cache (benchmarks measure the uncached path with it). */
export function clearUserAgentCache(): void {
  cache.clear();
}

/** How many user agents are cached now. */
export function userAgentCacheSize(): number {
  return cache.size;
}
