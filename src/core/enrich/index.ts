/**
 * Enrichment at ingest: what a request knows about a visitor (page URL, referrer, user agent,
 * address, language) turned into the dimension values of docs/enrichment.md. Pure functions with
 * no framework, no I/O but one lazy read of the country database, and no network: the collector
 * route and the server ingest API call enrich() with what they have.
 */
import { classifyChannel, type Channel } from "./channel";
import { countryForIp } from "./geo";
import { primaryLanguage } from "./language";
import { cleanText } from "./text";
import { hasPaidClickId, hostOf, parseUrl, readUtm, stripWww } from "./url";
import { parseUserAgent, type Device } from "./userAgent";

export { CHANNELS, type Channel } from "./channel";
export { defaultGeoDatabasePath, loadGeoDatabase, type GeoDatabaseInfo } from "./geo";
export { isBot, type Device } from "./userAgent";

export interface VisitContext {
  /** Full page URL (may carry utm_* query parameters, gclid, etc.). */
  url?: string;
  /** Full referrer URL. */
  referrer?: string;
  userAgent?: string;
  /** Client address: used only for the country, never returned or stored. */
  ip?: string;
  /** A BCP 47 tag (navigator.language) or an Accept-Language header value. */
  language?: string;
}

/** Every field but channel is omitted when it cannot be known (the ETL then stores "unknown"/"(none)"). */
export interface Enrichment {
  /** Lowercased host of url, no port. */
  hostname?: string;
  /** Lowercased host of referrer, "www." stripped; omitted when no referrer or the referrer is the page's own hostname. */
  referrer_host?: string;
  channel: Channel;
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_term?: string;
  utm_content?: string;
  /** e.g. "Chrome", "Safari", "Firefox", "Edge", "Samsung Internet", "Opera". */
  browser?: string;
  /** Major version only, digits, e.g. "131". */
  browser_version?: string;
  /** e.g. "Windows", "macOS", "iOS", "Android", "Linux", "ChromeOS". */
  os?: string;
  device?: Device;
  /** Primary language subtag, lowercased, 2-3 letters ("en", "de"). */
  language?: string;
  /** ISO 3166-1 alpha-2, uppercase. */
  country?: string;
}

/** A field of the context, when it is a string: the context may come straight from a JSON body. */
function field(context: unknown, key: keyof VisitContext): string | undefined {
  if (typeof context !== "object" || context === null) return undefined;
  const value: unknown = (context as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

function enrichUnchecked(context: VisitContext): Enrichment {
  const page = parseUrl(field(context, "url"));
  const hostname = page ? hostOf(page) : undefined;
  const referrer = parseUrl(field(context, "referrer"));
  let referrerHost = referrer ? hostOf(referrer) : undefined;
  referrerHost = referrerHost ? stripWww(referrerHost) : undefined;
  // Moving between pages of the site itself is not a source (www. or not, either side).
  if (referrerHost && hostname && referrerHost === stripWww(hostname)) referrerHost = undefined;
  const utm = page ? readUtm(page) : {};

  const result: Enrichment = {
    channel: classifyChannel({
      referrerHost,
      utmSource: utm.utm_source,
      utmMedium: utm.utm_medium,
      paidClickId: page ? hasPaidClickId(page) : false,
    }),
  };
  if (hostname) result.hostname = hostname;
  if (referrerHost) result.referrer_host = referrerHost;
  Object.assign(result, utm, parseUserAgent(field(context, "userAgent")));
  const language = primaryLanguage(field(context, "language"));
  if (language) result.language = language;
  const country = countryForIp(field(context, "ip"));
  if (country) result.country = country;
  return result;
}

/**
 * The visit's dimensions. Never throws: every input is treated as hostile (a publishable key is
 * public, so anyone can send anything), and whatever cannot be read is omitted.
 */
export function enrich(context: VisitContext): Enrichment {
  try {
    const result = enrichUnchecked(context);
    // Each part cleans its own output already; this last pass is the guarantee, in one place.
    for (const key of Object.keys(result) as (keyof Enrichment)[]) {
      if (key === "channel") continue;
      const value = cleanText(result[key]);
      if (value === undefined) delete result[key];
      else (result as unknown as Record<string, string>)[key] = value;
    }
    return result;
  } catch {
    return { channel: "Direct" };
  }
}
