/**
 * npm run bench:enrich [-- --seconds 2]
 *
 * enrich() calls per second on one core, for a realistic mix of contexts: with user agents that
 * repeat (the cache answers, as for most real traffic) and with a new user agent on every call
 * (each one parsed by bowser, and the bounded cache churning). Also prints how long the first call
 * takes, which loads the country database. Prints figures only: nothing is asserted.
 */
import { parseArgs } from "node:util";
import { enrich, type VisitContext } from "../src/core/enrich";
import { clearUserAgentCache } from "../src/core/enrich/userAgent";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "2" } } });
const seconds = Number(values.seconds);

const USER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
];
const PAGES = [
  "https://www.example.com/",
  "https://www.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring_launch",
  "https://www.example.com/blog/post-1?gclid=Cj0KCQiA2KitBhCIARIsAPPMEhJ",
  "https://www.example.com/docs/getting-started",
];
const REFERRERS = [
  undefined,
  "https://www.google.com/",
  "https://l.facebook.com/",
  "https://news.ycombinator.com/",
  "https://blog.example.org/post",
];
const IPS = ["8.8.8.8", "193.99.144.80", "133.242.0.3", "2a02:2e0:3fe:1001:302::", "81.2.69.160", "10.0.0.1"];
const LANGUAGES = ["en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "ja", "fr-FR"];

function context(i: number, userAgent: string): VisitContext {
  return {
    url: PAGES[i % PAGES.length],
    referrer: REFERRERS[i % REFERRERS.length],
    userAgent,
    ip: IPS[i % IPS.length],
    language: LANGUAGES[i % LANGUAGES.length],
  };
}

/** Calls per second of enrich over `seconds`, checking the clock every 1,000 calls. */
function measure(userAgentFor: (i: number) => string): number {
  let calls = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < until) {
    for (let j = 0; j < 1_000; j++, calls++) enrich(context(calls, userAgentFor(calls)));
    now = process.hrtime.bigint();
  }
  return calls / (Number(now - start) / 1e9);
}

const t0 = process.hrtime.bigint();
enrich(context(0, USER_AGENTS[0]!));
const firstCallMs = Number(process.hrtime.bigint() - t0) / 1e6;

// Warm the JIT on both paths before measuring.
measure((i) => USER_AGENTS[i % USER_AGENTS.length]!);
clearUserAgentCache();

const cached = measure((i) => USER_AGENTS[i % USER_AGENTS.length]!);
// A build number no browser has sent before: every call misses the cache.
const uncached = measure((i) =>
  USER_AGENTS[i % USER_AGENTS.length]!.replace(/(Chrome|Version|Firefox|SamsungBrowser)\/(\d+)/, `$1/$2.${i}`),
);

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`node ${process.version}, ${seconds} s per figure, one core`);
console.log(`first call (loads the country database): ${firstCallMs.toFixed(1)} ms`);
console.log(`enrich(), cached user agents:   ${fmt(cached)} calls/s`);
console.log(`enrich(), uncached user agents: ${fmt(uncached)} calls/s`);
