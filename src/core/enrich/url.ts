/**
 * Page and referrer URLs: hosts and campaign parameters (docs/enrichment.md, "URL fields").
 * Parsing is the WHATWG URL parser Node ships, the same one browsers use to write these URLs.
 */
import { PAID_CLICK_IDS } from "./sources";
import { cleanText, sliceUnits, truncateUtf8 } from "./text";

/**
 * Only the first 8 KiB (of UTF-8) of a URL are looked at, so a hostile one costs no more than
 * that. The host and the parameters inside them are still read; a value that the cut shortens
 * would have been cut to 256 bytes anyway, so every value stored is a prefix of the one sent.
 */
export const MAX_URL_BYTES = 8 * 1024;

export const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;
export type UtmKey = (typeof UTM_KEYS)[number];
export type Utm = Partial<Record<UtmKey, string>>;

const UTM_KEY_SET: ReadonlySet<string> = new Set(UTM_KEYS);
const PAID_CLICK_ID_SET: ReadonlySet<string> = new Set(PAID_CLICK_IDS);

/** The parsed URL (its first MAX_URL_BYTES), or undefined when it is missing or not a URL. */
export function parseUrl(raw: unknown): URL | undefined {
  if (typeof raw !== "string" || raw.length === 0) return undefined;
  const text = raw.length * 3 <= MAX_URL_BYTES ? raw : truncateUtf8(sliceUnits(raw, MAX_URL_BYTES), MAX_URL_BYTES);
  try {
    return new URL(text.trim());
  } catch {
    return undefined;
  }
}

/**
 * The URL's host, lowercased, without port or trailing dot. Special schemes (http, https) are
 * lowercased and punycoded by the parser already; others ("android-app://com.google.android.gm",
 * the referrer Android apps send) keep the case they were written in, hence the toLowerCase.
 */
export function hostOf(url: URL): string | undefined {
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  return cleanText(host);
}

/** "www.example.com" → "example.com": the same site for a referrer, whichever the visitor typed. */
export function stripWww(host: string): string {
  return host.startsWith("www.") && host.length > 4 ? host.slice(4) : host;
}

/**
 * The utm_* parameters, trimmed and cleaned; an empty one is omitted. Keys are matched without
 * regard to case (hand-made links say UTM_Source too); the first non-empty occurrence of a key
 * wins.
 */
export function readUtm(url: URL): Utm {
  const utm: Utm = {};
  if (url.search.length < 2) return utm;
  for (const [key, value] of url.searchParams) {
    const name = key.toLowerCase();
    if (!UTM_KEY_SET.has(name) || (utm as Record<string, string>)[name] !== undefined) continue;
    const cleaned = cleanText(value);
    if (cleaned !== undefined) utm[name as UtmKey] = cleaned;
  }
  return utm;
}

/** Whether the URL carries a click id that ad networks add to ad clicks only (sources.ts). */
export function hasPaidClickId(url: URL): boolean {
  if (url.search.length < 2) return false;
  for (const [key, value] of url.searchParams) {
    // "gclid=" with no value is a link someone copied badly, not an ad click.
    if (value.trim() !== "" && PAID_CLICK_ID_SET.has(key.toLowerCase())) return true;
  }
  return false;
}
