import { describe, expect, it } from "vitest";
import { parseIngestBody, type ParseResult } from "./normalize";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const options = { maxBatch: 500, maxFutureSeconds: 300, now: NOW };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const valid = { event_type: "page_visited", user_id: "user_1", session_id: "sess_1", page_path: "/home" };

function issues(result: ParseResult) {
  if (result.ok) throw new Error("expected the body to be rejected");
  return result.issues;
}

function events(result: ParseResult) {
  if (!result.ok) throw new Error(`expected the body to be accepted: ${JSON.stringify(result.issues)}`);
  return result.events;
}

describe("parseIngestBody: single events", () => {
  it("stamps a v4 event_id and the server time (UTC) when the client sends neither", () => {
    const [event] = events(parseIngestBody(valid, options));
    expect(event).toEqual({ ...valid, event_id: expect.stringMatching(UUID_V4), event_time: "2026-03-01T12:00:00.000Z" });
  });

  it("keeps a client event_id (lower-cased) and converts a client event_time with offset to UTC", () => {
    const [event] = events(
      parseIngestBody(
        { ...valid, event_id: "0F8FAD5B-D9CB-469F-A165-70867728950E", event_time: "2026-03-01T10:30:00.250+02:00" },
        options,
      ),
    );
    expect(event?.event_id).toBe("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(event?.event_time).toBe("2026-03-01T08:30:00.250Z");
  });

  it("keeps props and optional fields as received", () => {
    const body = { event_type: "button_clicked", user_id: "u", session_id: "s", button_id: "signup", props: { plan: "pro", n: 2 } };
    const [event] = events(parseIngestBody(body, options));
    expect(event).toMatchObject(body);
  });

  it("accepts backfilled events and events up to max_future_seconds ahead, not later", () => {
    expect(parseIngestBody({ ...valid, event_time: "2020-01-01T00:00:00Z" }, options).ok).toBe(true);
    expect(parseIngestBody({ ...valid, event_time: new Date(NOW + 300_000).toISOString() }, options).ok).toBe(true);
    expect(issues(parseIngestBody({ ...valid, event_time: new Date(NOW + 301_000).toISOString() }, options))).toEqual([
      { path: "event_time", message: "event_time is more than 300 seconds in the future" },
    ]);
  });

  it("names a missing required field", () => {
    const { user_id: _, ...body } = valid;
    expect(issues(parseIngestBody(body, options))).toEqual([{ path: "user_id", message: "user_id is required" }]);
  });

  it("reports a wrong type at its field", () => {
    const [issue] = issues(parseIngestBody({ ...valid, session_id: 42 }, options));
    expect(issue?.path).toBe("session_id");
    expect(issue?.message).toMatch(/expected string, received number/);
  });

  it("rejects unknown fields one by one, naming each and pointing to props", () => {
    expect(issues(parseIngestBody({ ...valid, pagepath: "/x", color: "red" }, options))).toEqual([
      { path: "pagepath", message: 'unknown field "pagepath": put custom data in "props"' },
      { path: "color", message: 'unknown field "color": put custom data in "props"' },
    ]);
  });

  it("requires button_id for button_clicked", () => {
    expect(issues(parseIngestBody({ ...valid, event_type: "button_clicked" }, options))).toEqual([
      { path: "button_id", message: "button_id is required for button_clicked" },
    ]);
  });

  it("enforces the field formats of SPEC §2", () => {
    const bad = (patch: Record<string, unknown>) => issues(parseIngestBody({ ...valid, ...patch }, options))[0]?.path;
    expect(bad({ event_type: "Page Visited" })).toBe("event_type");
    expect(bad({ event_type: "x".repeat(65) })).toBe("event_type");
    expect(bad({ user_id: "" })).toBe("user_id");
    expect(bad({ user_id: "u".repeat(257) })).toBe("user_id");
    expect(bad({ page_path: "/".repeat(2049) })).toBe("page_path");
    expect(bad({ button_id: "b".repeat(257) })).toBe("button_id");
    expect(bad({ props: ["a"] })).toBe("props");
    expect(bad({ props: { big: "x".repeat(8 * 1024) } })).toBe("props");
    expect(bad({ event_id: "not-a-uuid" })).toBe("event_id");
    expect(bad({ event_time: "2026-03-01T12:00:00" })).toBe("event_time"); // no offset
    expect(bad({ event_time: "yesterday" })).toBe("event_time");
    expect(parseIngestBody({ ...valid, props: { fits: "x".repeat(8 * 1024 - 20) } }, options).ok).toBe(true);
    expect(parseIngestBody({ ...valid, event_type: "custom.signup:done-1" }, options).ok).toBe(true);
  });

  it("rejects bodies that are not an event object", () => {
    for (const body of [null, "text", 42, [valid], true]) {
      expect(issues(parseIngestBody(body, options))[0]?.path).toBe("");
    }
  });
});

describe("parseIngestBody: batches", () => {
  it("accepts 1..maxBatch events, each with its own id", () => {
    const batch = Array.from({ length: 500 }, (_, i) => ({ ...valid, session_id: `s${i}` }));
    const result = events(parseIngestBody({ events: batch }, options));
    expect(result).toHaveLength(500);
    expect(new Set(result.map((e) => e.event_id)).size).toBe(500);
    expect(result[499]?.session_id).toBe("s499");
  });

  it("rejects an empty batch and one over maxBatch", () => {
    expect(issues(parseIngestBody({ events: [] }, options))).toEqual([
      { path: "events", message: "a batch holds 1 to 500 events, got 0" },
    ]);
    const tooMany = Array.from({ length: 501 }, () => valid);
    expect(issues(parseIngestBody({ events: tooMany }, options))).toEqual([
      { path: "events", message: "a batch holds 1 to 500 events, got 501" },
    ]);
  });

  it("is all-or-nothing and points at the failing event", () => {
    const { user_id: _, ...missing } = valid;
    const result = parseIngestBody({ events: [valid, { ...valid, typo: 1 }, missing] }, options);
    expect(issues(result)).toEqual([
      { path: "events[1].typo", message: 'unknown field "typo": put custom data in "props"' },
      { path: "events[2].user_id", message: "user_id is required" },
    ]);
  });

  it("rejects other top-level fields beside events and a non-array events", () => {
    expect(issues(parseIngestBody({ events: [valid], extra: 1 }, options))[0]?.path).toBe("extra");
    expect(issues(parseIngestBody({ events: valid }, options))).toEqual([{ path: "events", message: "events must be an array" }]);
  });
});
