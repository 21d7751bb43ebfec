import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILT_IN_EVENT_TYPES, incomingEventSchema, storedEventSchema } from "@/core/events";
import { loadSimulatorConfig, parseSimulatorConfig } from "./config";
import { createRng, uuidV4 } from "./rng";
import { buildSession, generateEvents, generateSessions, meanEventsPerSession } from "./sessions";

const config = loadSimulatorConfig(path.resolve(import.meta.dirname, "../../event_simulator_config.yaml"));
const START = Date.parse("2026-11-01T00:00:00.000Z");
const BUILT_IN = new Set<string>(BUILT_IN_EVENT_TYPES);

function sessions(n: number, seed = 1, overrides: Record<string, unknown> = {}) {
  const model = parseSimulatorConfig({ ...config, duration_seconds: 86_400, ...overrides });
  return [...generateSessions(model, createRng(seed), { startMs: START, limit: n })];
}

describe("generateSessions", () => {
  const all = sessions(3000);
  const pagesByPath = new Map(config.pages.map((p) => [p.path, p]));

  it("starts every session with session_created and keeps its events in strictly increasing time", () => {
    for (const s of all) {
      expect(s.events[0]!.event_type).toBe("session_created");
      expect(s.events.filter((e) => e.event_type === "session_created")).toHaveLength(1);
      expect(s.times).toHaveLength(s.events.length);
      for (let i = 0; i < s.events.length; i++) {
        expect(Date.parse(s.events[i]!.event_time)).toBe(s.times[i]);
        if (i > 0) expect(s.times[i]!).toBeGreaterThan(s.times[i - 1]!);
      }
    }
  });

  it("ends with session_ended when there is one, and only sometimes (tabs just close)", () => {
    let ended = 0;
    for (const s of all) {
      const idx = s.events.findIndex((e) => e.event_type === "session_ended");
      if (idx !== -1) {
        ended++;
        expect(idx).toBe(s.events.length - 1);
      }
    }
    expect(ended / all.length).toBeGreaterThan(config.probabilities.session_ended - 0.05);
    expect(ended / all.length).toBeLessThan(config.probabilities.session_ended + 0.05);
  });

  it("clicks only buttons of the page the visitor is on, and closes only that page", () => {
    let clicks = 0;
    for (const s of all) {
      let current: string | undefined;
      for (const e of s.events) {
        if (e.event_type === "page_visited") current = e.page_path;
        if (e.event_type === "button_clicked") {
          clicks++;
          expect(e.page_path).toBe(current);
          expect(pagesByPath.get(current!)!.buttons).toContain(e.button_id);
        }
        if (e.event_type === "page_closed") expect(e.page_path).toBe(current);
      }
    }
    expect(clicks).toBeGreaterThan(all.length / 4);
  });

  it("has bounces (one page) and longer visits within pages_per_session", () => {
    const pageCounts = all.map((s) => s.events.filter((e) => e.event_type === "page_visited").length);
    const bounces = pageCounts.filter((n) => n === 1).length / all.length;
    expect(bounces).toBeGreaterThan(config.probabilities.bounce - 0.05);
    expect(bounces).toBeLessThan(config.probabilities.bounce + 0.05);
    expect(Math.max(...pageCounts)).toBe(config.pages_per_session.max);
    expect(pageCounts.every((n) => n >= 1 && n <= config.pages_per_session.max)).toBe(true);
  });

  it("produces events the ingest API accepts and the consumer writes", () => {
    for (const s of all.slice(0, 500)) {
      for (const e of s.events) {
        const { event_id: _id, event_time: _t, ...asSent } = e;
        expect(incomingEventSchema.safeParse(e).success).toBe(true);
        expect(incomingEventSchema.safeParse(asSent).success).toBe(true);
        expect(storedEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
        expect(e.user_id).toBe(s.user_id);
        expect(e.session_id).toBe(s.session_id);
      }
    }
    const types = new Set(all.flatMap((s) => s.events.map((e) => e.event_type)));
    for (const t of BUILT_IN_EVENT_TYPES) expect(types).toContain(t);
    expect([...types].some((t) => !BUILT_IN.has(t))).toBe(true); // custom events too
  });

  it("gives unique session and event ids, and reuses user ids across sessions", () => {
    expect(new Set(all.map((s) => s.session_id)).size).toBe(all.length);
    const ids = all.flatMap((s) => s.events.map((e) => e.event_id));
    expect(new Set(ids).size).toBe(ids.length);
    const users = new Set(all.map((s) => s.user_id));
    expect(users.size).toBeLessThanOrEqual(config.users);
    expect(users.size).toBeLessThan(all.length);
  });

  it("is reproducible with the same seed and different with another", () => {
    const a = sessions(50, 42);
    const b = sessions(50, 42);
    const c = sessions(50, 43);
    expect(a).toEqual(b);
    expect(a.map((s) => s.session_id)).not.toEqual(c.map((s) => s.session_id));
  });

  it("keeps session starts inside the window", () => {
    const model = parseSimulatorConfig({ ...config, duration_seconds: 60, events_per_second: 100 });
    const list = [...generateSessions(model, createRng(3), { startMs: START })];
    expect(list.length).toBeGreaterThan(0);
    for (const s of list) {
      expect(s.times[0]).toBeGreaterThanOrEqual(START);
      expect(s.times[0]).toBeLessThan(START + 60_000);
    }
  });

  it("respects a page without buttons and a config where nobody clicks or closes", () => {
    const model = parseSimulatorConfig({
      pages: [{ path: "/only", buttons: [] }],
      probabilities: { bounce: 0, click: 1, page_closed: 0, session_ended: 1, custom_event: 0 },
      pages_per_session: { min: 3, max: 3 },
    });
    const s = buildSession(model, createRng(9), START, "s", "u");
    expect(s.events.map((e) => e.event_type)).toEqual(["session_created", "page_visited", "page_visited", "page_visited", "session_ended"]);
  });
});

describe("generateEvents", () => {
  it("merges sessions into one stream ordered by event_time, at about the configured rate", () => {
    const model = parseSimulatorConfig({ ...config, duration_seconds: 3600, events_per_second: 20 });
    const events = [...generateEvents(model, createRng(5), { startMs: START })];
    for (let i = 1; i < events.length; i++) expect(events[i]!.event_time >= events[i - 1]!.event_time).toBe(true);
    // Sessions started in the last minutes spill past the hour; the rate counts over the window.
    const inWindow = events.filter((e) => Date.parse(e.event_time) < START + 3600_000).length;
    expect(inWindow / 3600).toBeGreaterThan(20 * 0.85);
    expect(inWindow / 3600).toBeLessThan(20 * 1.15);
    // The same events as the sessions, just interleaved.
    const bySessions = [...generateSessions(model, createRng(5), { startMs: START })].flatMap((s) => s.events);
    expect(new Set(events.map((e) => e.event_id))).toEqual(new Set(bySessions.map((e) => e.event_id)));
  });

  it("sends at the configured rate from the first seconds (warm start), not after a ramp", () => {
    const model = parseSimulatorConfig({ ...config, duration_seconds: 120, events_per_second: 200 });
    const countIn = (events: { event_time: string }[], fromS: number, toS: number) =>
      events.filter((e) => {
        const t = Date.parse(e.event_time) - START;
        return t >= fromS * 1000 && t < toS * 1000;
      }).length;
    const rates = (warmStart: boolean) => {
      const events = [...generateEvents(model, createRng(8), { startMs: START, warmStart })];
      return [countIn(events, 0, 10) / 10, countIn(events, 10, 30) / 20, countIn(events, 30, 120) / 90];
    };
    for (const r of rates(true)) {
      expect(r).toBeGreaterThan(200 * 0.85);
      expect(r).toBeLessThan(200 * 1.15);
    }
    expect(rates(false)[0]).toBeLessThan(200 * 0.6); // without it the first seconds are slow
  });

  it("generates 1M events over 30 days quickly (the ETL benchmark's use)", () => {
    const model = parseSimulatorConfig({
      ...config,
      users: 20_000,
      duration_seconds: 30 * 86_400,
      events_per_second: 1_000_000 / (30 * 86_400),
    });
    const t0 = performance.now();
    let n = 0;
    let last = "";
    let first = "";
    for (const e of generateEvents(model, createRng(11), { startMs: START, limit: 1_000_000 })) {
      if (n === 0) first = e.event_time;
      last = e.event_time;
      n++;
    }
    const seconds = (performance.now() - t0) / 1000;
    console.info(`generated ${n} events in ${seconds.toFixed(2)} s (${Math.round(n / seconds)}/s), ${first} .. ${last}`);
    expect(n).toBe(1_000_000);
    expect(Date.parse(last) - Date.parse(first)).toBeGreaterThan(25 * 86_400_000);
    expect(seconds).toBeLessThan(20);
  });

  it("mean events per session is deterministic", () => {
    expect(meanEventsPerSession(config)).toBe(meanEventsPerSession(config));
    expect(meanEventsPerSession(config)).toBeGreaterThan(3);
  });
});

describe("uuidV4", () => {
  it("makes valid version-4 UUIDs", () => {
    const rng = createRng(1);
    for (let i = 0; i < 1000; i++) {
      expect(uuidV4(rng)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
