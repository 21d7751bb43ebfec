import path from "node:path";
import { describe, expect, it } from "vitest";
import { withDims } from "@/core/dimensions/attach";
import { CHANNELS, enrich } from "@/core/enrich";
import { countryForIp } from "@/core/enrich/geo";
import { incomingEventSchema, type ParsedEvent } from "@/core/events";
import { loadSimulatorConfig, parseSimulatorConfig } from "./config";
import { createRng } from "./rng";
import { generateSessions } from "./sessions";
import { AGENTS, PLACES, SOURCES, visitorRng } from "./visitors";

const config = loadSimulatorConfig(path.resolve(import.meta.dirname, "../../event_simulator_config.yaml"));
const START = Date.parse("2026-11-01T00:00:00.000Z");
const model = parseSimulatorConfig({ ...config, duration_seconds: 86_400 });

function sessions(n: number, withContexts: boolean) {
  return [...generateSessions(model, createRng(5), { startMs: START, limit: n, visitors: withContexts ? visitorRng(5) : undefined })];
}

describe("simulated visitors", () => {
  it("use addresses that the shipped DB-IP database maps to the country they stand for", () => {
    for (const place of PLACES) for (const ip of place.ips) expect([ip, countryForIp(ip) ?? null]).toEqual([ip, place.country]);
    expect(new Set(PLACES.map((p) => p.country)).size).toBeGreaterThanOrEqual(10);
  });

  it("send real user agents of Chrome, Safari, Firefox, Edge and Samsung Internet on desktops, phones and tablets", () => {
    const parsed = AGENTS.filter((a) => a.userAgent).map((a) => enrich({ userAgent: a.userAgent }));
    expect(new Set(parsed.map((e) => e.browser))).toEqual(new Set(["Chrome", "Safari", "Firefox", "Edge", "Samsung Internet"]));
    expect(new Set(parsed.map((e) => e.device))).toEqual(new Set(["desktop", "mobile", "tablet"]));
    expect(new Set(parsed.map((e) => e.os))).toEqual(new Set(["Windows", "macOS", "Android", "iOS", "Linux"]));
    for (const e of parsed) expect(e.browser_version).toMatch(/^\d+$/);
  });

  it("come from search engines, social networks, a newsletter, a paid campaign and nowhere, each in its channel", () => {
    const channelOf = (name: string) => {
      const s = SOURCES.find((x) => x.name === name)!;
      return enrich({ url: `https://www.example.com/${s.query ?? ""}`, referrer: s.referrer });
    };
    expect(channelOf("direct")).toMatchObject({ channel: "Direct" });
    for (const [name, host] of [
      ["google", "google.com"],
      ["bing", "bing.com"],
      ["duckduckgo", "duckduckgo.com"],
    ])
      expect(channelOf(name!)).toMatchObject({ channel: "Organic Search", referrer_host: host });
    expect(channelOf("facebook")).toMatchObject({ channel: "Social", referrer_host: "l.facebook.com" });
    expect(channelOf("newsletter")).toMatchObject({ channel: "Email", utm_medium: "email", utm_campaign: "june-digest" });
    expect(channelOf("paid search")).toMatchObject({ channel: "Paid", utm_medium: "cpc", utm_term: "web analytics" });
    expect(channelOf("github")).toMatchObject({ channel: "Referral", referrer_host: "github.com" });
  });

  it("add a valid context to every event without changing the sessions; the dims made of it fill every panel", () => {
    const plain = sessions(1500, false);
    const rich = sessions(1500, true);
    const seen = new Map<string, Set<string>>();
    for (const [i, s] of rich.entries()) {
      expect(s.events.map((e) => e.event_id)).toEqual(plain[i]!.events.map((e) => e.event_id));
      let pages = 0;
      for (const e of s.events) {
        const { event_id: _id, event_time: _t, ...asSent } = e;
        const parsed = incomingEventSchema.safeParse(asSent);
        expect(parsed.success, JSON.stringify(e)).toBe(true);
        const stored = withDims(parsed.data as ParsedEvent);
        if (e.event_type === "page_visited") pages++;
        // Only the landing page (and what happens on it) carries the source; later pages are internal.
        if (pages > 1)
          expect(Object.keys(stored.dims!).filter((k) => k === "referrer" || k.startsWith("utm_") || k === "channel")).toEqual([]);
        for (const [name, value] of Object.entries(stored.dims!)) {
          if (!seen.has(name)) seen.set(name, new Set());
          seen.get(name)!.add(value);
        }
      }
    }
    // "Direct" is the unknown value, so it is never stored (docs/dimensions.md).
    expect(seen.get("channel")).toEqual(new Set(CHANNELS.filter((c) => c !== "Direct")));
    expect(seen.get("country")!.size).toBeGreaterThanOrEqual(10);
    expect(seen.get("browser")!.size).toBe(5);
    expect(seen.get("device")!.size).toBe(3);
    expect(seen.get("language")!.size).toBeGreaterThanOrEqual(8);
    expect(seen.get("hostname")).toEqual(new Set(["www.example.com", "docs.example.com"]));
    for (const name of ["referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "browser_version", "os"])
      expect(seen.get(name)!.size, name).toBeGreaterThanOrEqual(2);
  });
});
