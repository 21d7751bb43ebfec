/**
 * Who the simulated visitors are: where they come from (referrers, UTM campaigns), what they use
 * (real user agent strings) and where they are (addresses that the shipped DB-IP database maps to
 * a country, see docs/enrichment.md "Country"), with skewed weights as real traffic has.
 *
 * The simulator sends these as `context` on its events (docs/api.md, "Context"), so a fresh
 * install fills every dashboard panel; test/support/dataset.ts turns the same pools into the
 * `dims` ingest would store for them. Pure data plus seeded draws: no I/O.
 */
import type { EventContext } from "@/core/events";
import { createRng, type Rng, WeightedPicker } from "./rng";

export interface Source {
  /** A short name for tests and docs. */
  name: string;
  weight: number;
  /** The full referrer URL the browser sends; none for direct visits and most email clients. */
  referrer?: string;
  /** The landing URL's query string (campaign tags, click ids), with its leading "?". */
  query?: string;
}

/** Traffic sources, about as common as on a small SaaS site: search first, then direct. */
export const SOURCES: readonly Source[] = [
  { name: "direct", weight: 28 },
  { name: "google", weight: 24, referrer: "https://www.google.com/" },
  { name: "google.co.uk", weight: 3, referrer: "https://www.google.co.uk/" },
  { name: "google.de", weight: 3, referrer: "https://www.google.de/" },
  { name: "bing", weight: 5, referrer: "https://www.bing.com/" },
  { name: "duckduckgo", weight: 4, referrer: "https://duckduckgo.com/" },
  { name: "facebook", weight: 4, referrer: "https://l.facebook.com/" },
  { name: "twitter", weight: 3, referrer: "https://t.co/" },
  { name: "hacker news", weight: 2, referrer: "https://news.ycombinator.com/" },
  { name: "reddit", weight: 2, referrer: "https://www.reddit.com/r/selfhosted/" },
  { name: "github", weight: 4, referrer: "https://github.com/pulse-analytics/pulse" },
  { name: "blog", weight: 2, referrer: "https://dev.to/someone/self-hosted-analytics" },
  {
    name: "newsletter",
    weight: 5,
    query: "?utm_source=newsletter&utm_medium=email&utm_campaign=june-digest&utm_content=header-link",
  },
  { name: "newsletter (footer)", weight: 1, query: "?utm_source=newsletter&utm_medium=email&utm_campaign=june-digest&utm_content=footer" },
  {
    name: "paid search",
    weight: 5,
    referrer: "https://www.google.com/",
    query: "?utm_source=google&utm_medium=cpc&utm_campaign=brand-search&utm_term=web+analytics&gclid=Cj0KCQjw",
  },
  {
    name: "paid search (competitor)",
    weight: 2,
    referrer: "https://www.google.com/",
    query: "?utm_source=google&utm_medium=cpc&utm_campaign=summer-sale&utm_term=google+analytics+alternative",
  },
  {
    name: "paid social",
    weight: 2,
    referrer: "https://l.facebook.com/",
    query: "?utm_source=facebook&utm_medium=paid-social&utm_campaign=summer-sale",
  },
  { name: "partner", weight: 1, query: "?utm_source=partner-site&utm_campaign=launch" },
];

export interface Agent {
  name: string;
  weight: number;
  userAgent?: string;
}

/** Real user agent strings of current browsers; a few visitors send none (scripts, privacy tools). */
export const AGENTS: readonly Agent[] = [
  {
    name: "Chrome on Windows",
    weight: 26,
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  },
  {
    name: "Chrome 130 on Windows",
    weight: 6,
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  },
  {
    name: "Chrome on macOS",
    weight: 9,
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  },
  {
    name: "Chrome on Android",
    weight: 14,
    userAgent: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  },
  {
    name: "Safari on iPhone",
    weight: 13,
    userAgent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  },
  {
    name: "Safari 17 on iPhone",
    weight: 4,
    userAgent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  },
  {
    name: "Safari on iPad",
    weight: 3,
    userAgent:
      "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  },
  {
    name: "Safari on macOS",
    weight: 6,
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  },
  {
    name: "Firefox on Windows",
    weight: 5,
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  },
  { name: "Firefox on Linux", weight: 2, userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0" },
  {
    name: "Edge on Windows",
    weight: 5,
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  },
  {
    name: "Samsung Internet on a phone",
    weight: 3,
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  },
  {
    name: "Samsung Internet on a tablet",
    weight: 1,
    userAgent:
      "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36",
  },
  { name: "none", weight: 1 },
];

export interface Place {
  /** The country DB-IP gives these addresses (checked in scripts/simulate/visitors.test.ts). */
  country: string | null;
  weight: number;
  ips: readonly string[];
  /** Language tags as browsers send them, with weights. */
  languages: readonly (readonly [string, number])[];
}

/** Countries, United States first; private addresses (a proxy that hides its clients) have none. */
export const PLACES: readonly Place[] = [
  {
    country: "US",
    weight: 30,
    ips: ["8.8.8.8", "52.95.110.1"],
    languages: [
      ["en-US", 9],
      ["es-US", 1],
    ],
  },
  {
    country: "DE",
    weight: 12,
    ips: ["81.169.145.105", "85.214.0.1", "2a00:1450:4001::1"],
    languages: [
      ["de-DE,de;q=0.9,en;q=0.8", 8],
      ["en-US", 2],
    ],
  },
  { country: "GB", weight: 9, ips: ["212.58.244.1", "81.2.69.142"], languages: [["en-GB", 1]] },
  {
    country: "FR",
    weight: 6,
    ips: ["90.0.0.1", "62.210.0.1"],
    languages: [
      ["fr-FR", 8],
      ["en", 2],
    ],
  },
  {
    country: "IN",
    weight: 7,
    ips: ["49.36.0.1", "117.192.0.1"],
    languages: [
      ["en-IN", 7],
      ["hi-IN", 3],
    ],
  },
  {
    country: "CA",
    weight: 4,
    ips: ["24.48.0.1", "142.112.0.1"],
    languages: [
      ["en-CA", 7],
      ["fr-CA", 3],
    ],
  },
  { country: "BR", weight: 4, ips: ["177.0.0.1", "200.147.0.1"], languages: [["pt-BR", 1]] },
  { country: "JP", weight: 3, ips: ["133.242.0.1", "126.0.0.1"], languages: [["ja", 1]] },
  { country: "AU", weight: 3, ips: ["139.130.4.5", "203.2.218.1"], languages: [["en-AU", 1]] },
  { country: "NL", weight: 2, ips: ["145.100.0.1"], languages: [["nl-NL", 1]] },
  { country: "ES", weight: 2, ips: ["83.32.0.1"], languages: [["es-ES", 1]] },
  { country: "IT", weight: 1, ips: ["79.0.0.1"], languages: [["it-IT", 1]] },
  { country: null, weight: 2, ips: ["10.1.2.3", "192.168.1.20"], languages: [["en-US", 1]] },
];

/** The site's hosts: most traffic on the main one, some on the docs. */
export const HOSTS: readonly (readonly [string, number])[] = [
  ["www.example.com", 9],
  ["docs.example.com", 1],
];

/** One visitor, as indices into the pools (so callers can cache what they derive from it). */
export interface Visitor {
  source: number;
  agent: number;
  place: number;
  /** Index into PLACES[place].ips. */
  ip: number;
  /** Index into PLACES[place].languages, or -1 when the browser sends none. */
  language: number;
  host: number;
}

const sourcePicker = new WeightedPicker(SOURCES.map((s) => s.weight));
const agentPicker = new WeightedPicker(AGENTS.map((a) => a.weight));
const placePicker = new WeightedPicker(PLACES.map((p) => p.weight));
const languagePickers = PLACES.map((p) => new WeightedPicker(p.languages.map(([, w]) => w)));
const hostPicker = new WeightedPicker(HOSTS.map(([, w]) => w));

/** Share of visitors whose browser sends no language. */
const NO_LANGUAGE = 0.04;

/** A visitor drawn from the pools; always six draws from rng, so streams stay aligned. */
export function pickVisitor(rng: Rng): Visitor {
  const source = sourcePicker.pick(rng);
  const agent = agentPicker.pick(rng);
  const place = placePicker.pick(rng);
  const ip = Math.floor(rng() * PLACES[place]!.ips.length);
  const language = rng() < NO_LANGUAGE ? -1 : languagePickers[place]!.pick(rng);
  const host = hostPicker.pick(rng);
  return { source, agent, place, ip, language, host };
}

/**
 * The context a browser gives for one page of the visit: the landing page carries the source
 * (its referrer and campaign tags), later pages have the previous page as referrer, as browsers
 * send it, so they carry no source of their own.
 */
export function contextOf(visitor: Visitor, pagePath: string, previousPath: string | null): EventContext {
  const host = HOSTS[visitor.host]![0];
  const source = SOURCES[visitor.source]!;
  const place = PLACES[visitor.place]!;
  const context: EventContext = {};
  if (previousPath === null) {
    context.url = `https://${host}${pagePath}${source.query ?? ""}`;
    if (source.referrer !== undefined) context.referrer = source.referrer;
  } else {
    context.url = `https://${host}${pagePath}`;
    context.referrer = `https://${host}${previousPath}`;
  }
  const userAgent = AGENTS[visitor.agent]!.userAgent;
  if (userAgent !== undefined) context.user_agent = userAgent;
  context.ip = place.ips[visitor.ip]!;
  if (visitor.language >= 0) context.language = place.languages[visitor.language]![0];
  return context;
}

/**
 * Gives each event of one session the context its browser would send: session_created and the
 * events on a page share that page's context (no per-event objects), the first page's carries the
 * source. Mutates the events, which the caller has just made.
 */
export function attachContexts(
  events: readonly { event_type: string; page_path?: string; context?: EventContext }[],
  visitor: Visitor,
): void {
  const firstPage = events.find((e) => e.event_type === "page_visited")?.page_path ?? "/";
  let current = contextOf(visitor, firstPage, null);
  let previousPath: string | null = null;
  for (const event of events) {
    if (event.event_type === "page_visited" && event.page_path !== undefined) {
      if (previousPath !== null) current = contextOf(visitor, event.page_path, previousPath);
      previousPath = event.page_path;
    }
    event.context = current;
  }
}

/** The visitor draws of a seeded run: their own stream, derived from the run's seed. */
export function visitorRng(seed: number): Rng {
  return createRng(Math.imul(seed, 0x9e3779b1) ^ 0x5bd1e995);
}
