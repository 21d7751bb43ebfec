import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../events/schema";
import { compareStreamIds, liveUpdateOf, parseStreamId } from "./entry";
import { itemsAfter, parseLiveMessage } from "./reader";

const NOW = Date.parse("2026-12-02T12:00:00Z");

function stored(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    site_id: "6f1f3c9e-6f0a-4a57-9a3e-3b1c2d4e5f60",
    event_type: "page_visited",
    user_id: "visitor-1",
    session_id: "session-1",
    page_path: "/pricing",
    event_id: "0b0e8f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    event_time: "2026-12-02T11:59:30.000Z",
    props: { plan: "pro" },
    dims: { channel: "Organic Search", referrer: "google.com", country: "DE", browser: "Firefox", device: "desktop", os: "Linux" },
    ...overrides,
  };
}

describe("liveUpdateOf", () => {
  it("a page view: counted as one, its entry without the visitor's ids or props", () => {
    const update = liveUpdateOf(stored(), NOW)!;
    expect(update).toMatchObject({ userId: "visitor-1", pageView: true, timeMs: NOW - 30_000 });
    expect(update.entry).toEqual({
      event_id: "0b0e8f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
      event_type: "page_visited",
      event_time: "2026-12-02T11:59:30.000Z",
      page: "/pricing",
      source: "google.com",
      country: "DE",
      browser: "Firefox",
      device: "desktop",
    });
    expect(JSON.stringify(update.entry)).not.toMatch(/visitor-1|session-1|plan/);
  });

  it("the source is the referring host, else the channel, else none (shown as Direct)", () => {
    expect(liveUpdateOf(stored({ dims: { channel: "Email" } }), NOW)!.entry.source).toBe("Email");
    expect(liveUpdateOf(stored({ dims: undefined }), NOW)!.entry.source).toBeUndefined();
  });

  it("a click is in the feed but is not a page view", () => {
    const update = liveUpdateOf(stored({ event_type: "button_clicked", button_id: "buy" }), NOW)!;
    expect(update.pageView).toBe(false);
    expect(update.entry.button).toBe("buy");
  });

  it("only events of the last 30 minutes, up to a minute ahead, are live", () => {
    expect(liveUpdateOf(stored({ event_time: "2026-12-02T11:30:00.000Z" }), NOW)).not.toBeNull();
    expect(liveUpdateOf(stored({ event_time: "2026-12-02T11:29:59.999Z" }), NOW)).toBeNull();
    expect(liveUpdateOf(stored({ event_time: "2026-12-02T12:01:00.000Z" }), NOW)).not.toBeNull();
    expect(liveUpdateOf(stored({ event_time: "2026-12-02T12:01:00.001Z" }), NOW)).toBeNull();
    expect(liveUpdateOf(stored({ event_time: "2020-01-01T00:00:00.000Z" }), NOW)).toBeNull();
  });
});

describe("stream ids", () => {
  it("a Last-Event-ID is used only when it is exactly a stream id", () => {
    expect(parseStreamId("1796226034405-0")).toBe("1796226034405-0");
    for (const bad of [null, "", "1796226034405", "abc-0", "1-0 ", "1-0\n", "-1-0", "1-0-0", "9".repeat(16) + "-0", "(1-0", "+"]) {
      expect(parseStreamId(bad), String(bad)).toBeNull();
    }
  });

  it("compare as numbers, the sequence after the time", () => {
    expect(compareStreamIds("9-0", "10-0")).toBeLessThan(0);
    expect(compareStreamIds("10-2", "10-10")).toBeLessThan(0);
    expect(compareStreamIds("10-1", "10-1")).toBe(0);
    expect(compareStreamIds("11-0", "10-99")).toBeGreaterThan(0);
  });
});

describe("pub/sub messages", () => {
  it("a worker's message is a stream id and an entry; anything else is dropped", () => {
    const entry = { event_id: "e", event_type: "page_visited", event_time: "2026-12-02T12:00:00.000Z", page: "/a b" };
    expect(parseLiveMessage(`5-1 ${JSON.stringify(entry)}`)).toEqual({ id: "5-1", entry });
    expect(parseLiveMessage("5-1")).toBeNull();
    expect(parseLiveMessage("5-1 {not json")).toBeNull();
  });

  it("a resumed stream skips what it already sent", () => {
    const items = ["4-0", "5-0", "5-1", "10-0"].map((id) => ({ id, entry: { event_id: id, event_type: "x", event_time: "" } }));
    expect(itemsAfter(items, "5-0").map((i) => i.id)).toEqual(["5-1", "10-0"]);
    expect(itemsAfter(items, null)).toHaveLength(4);
  });
});
