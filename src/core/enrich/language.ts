/**
 * The visitor's language (docs/enrichment.md, "Language"): the primary subtag of a BCP 47 tag
 * ("en-GB" → "en"), from navigator.language or from an Accept-Language header value
 * ("de-CH, de;q=0.9, en;q=0.8" → "de"). Only the language is kept; the region says more about
 * the visitor than a language dimension needs, and the country has its own.
 */
import { BoundedCache } from "./cache";

/** A header longer than this is cut (and cached cut): browsers send a handful of tags, never kilobytes. */
const MAX_LANGUAGE_CHARS = 1024;
/** Only the first entries are weighed, so a hostile header costs little however it is built. */
const MAX_ENTRIES = 32;

/** Distinct header values remembered: a site's visitors send few. */
const CACHE_SIZE = 1000;
// "" stands for "no language" (a Map cannot tell a cached undefined from a miss).
const cache = new BoundedCache<string>(CACHE_SIZE);

const PRIMARY = /^[a-z]{2,3}$/;
// RFC 9110 qvalue: 0 to 1 with at most three decimals.
const QVALUE = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

/** The weight of one entry's parameters: 1 when none; undefined when the q is malformed. */
function weight(params: string[]): number | undefined {
  let q = 1;
  for (const param of params) {
    const p = param.trim();
    if (p === "") continue;
    const match = QVALUE.exec(p);
    if (!match) return undefined;
    q = Number(match[1]);
  }
  return q;
}

/**
 * The primary language subtag, lowercased, of the first tag with the highest weight. A wildcard
 * ("*"), a weight of 0 ("not acceptable"), or a primary subtag that is not 2–3 letters ("i-klingon",
 * "x-private", "123") is passed over; undefined when nothing is left.
 */
export function primaryLanguage(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0) return undefined;
  const key = value.length > MAX_LANGUAGE_CHARS ? value.slice(0, MAX_LANGUAGE_CHARS) : value;
  let language = cache.get(key);
  if (language === undefined) {
    language = parse(key) ?? "";
    cache.set(key, language);
  }
  return language || undefined;
}

function parse(value: string): string | undefined {
  const entries = value.split(",", MAX_ENTRIES);
  let best: string | undefined;
  let bestWeight = 0;
  for (const entry of entries) {
    const [tag = "", ...params] = entry.split(";");
    const q = weight(params);
    if (q === undefined || q <= bestWeight) continue;
    // "en_US" is how some server stacks write it (POSIX locales); take it as "en-US".
    const primary = tag.trim().split(/[-_]/, 1)[0]!.toLowerCase();
    if (!PRIMARY.test(primary)) continue;
    best = primary;
    bestWeight = q;
  }
  return best;
}
