import { describe, expect, it } from "vitest";
import { parseIngestBody, type ParseResult } from "./normalize";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const SITE = "5a1e0000-0000-4000-8000-000000000001";
const options = { siteId: SITE, maxBatch: 500, maxFutureSeconds: 300, maxPastDays: 30, maxBackfillDays: 3650, now: NOW };
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
    expect(event).toEqual({ site_id: SITE, ...valid, event_id: expect.stringMatching(UUID_V4), event_time: "2026-03-01T12:00:00.000Z" });
    // The site comes first in the stored line, from the key; the body cannot name one.
    expect(Object.keys(event!)[0]).toBe("site_id");
    expect(issues(parseIngestBody({ ...valid, site_id: "5a1e0000-0000-4000-8000-000000000002" }, options))[0]?.path).toBe("site_id");
  });

  it("keeps a client event_id (lower-cased) and converts a client event_time with offset to UTC", () => {
    const [event] = events(
      parseIngestBody({ ...valid, event_id: "0F8FAD5B-D9CB-469F-A165-70867728950E", event_time: "2026-03-01T10:30:00.250+02:00" }, options),
    );
    expect(event?.event_id).toBe("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(event?.event_time).toBe("2026-03-01T08:30:00.250Z");
  });

  it("keeps props and optional fields as received", () => {
    const body = { event_type: "button_clicked", user_id: "u", session_id: "s", button_id: "signup", props: { plan: "pro", n: 2 } };
    const [event] = events(parseIngestBody(body, options));
    expect(event).toMatchObject(body);
  });

  it("accepts events up to max_past_days old, older ones only with the backfill scope, none before 1970", () => {
    expect(parseIngestBody({ ...valid, event_time: "2026-02-01T00:00:00Z" }, options).ok).toBe(true);
    expect(issues(parseIngestBody({ ...valid, event_time: "2026-01-01T00:00:00Z" }, options))).toEqual([
      {
        path: "event_time",
        message: "event_time is more than 30 days in the past; older events need a key with the backfill scope (up to 3650 days)",
      },
    ]);
    const backfill = { ...options, backfill: true };
    expect(parseIngestBody({ ...valid, event_time: "2020-01-01T00:00:00Z" }, backfill).ok).toBe(true);
    expect(issues(parseIngestBody({ ...valid, event_time: "2016-01-01T00:00:00Z" }, backfill))[0]?.message).toBe(
      "event_time is more than 3650 days in the past",
    );
    const unbounded = { ...backfill, maxBackfillDays: 36_500 };
    for (const early of ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z"]) {
      expect(issues(parseIngestBody({ ...valid, event_time: early }, unbounded))).toEqual([
        { path: "event_time", message: "event_time must not be before 1970-01-01T00:00:00Z" },
      ]);
    }
    expect(parseIngestBody({ ...valid, event_time: "1970-01-01T00:00:00Z" }, unbounded).ok).toBe(true);
  });

  it("accepts events up to max_future_seconds ahead, not later", () => {
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

  it("enforces the field formats of docs/api.md", () => {
    const bad = (patch: Record<string, unknown>) => issues(parseIngestBody({ ...valid, ...patch }, options))[0]?.path;
    expect(bad({ event_type: "Page Visited" })).toBe("event_type");
    expect(bad({ event_type: "x".repeat(65) })).toBe("event_type");
    expect(bad({ user_id: "" })).toBe("user_id");
    expect(bad({ user_id: "u".repeat(257) })).toBe("user_id");
    expect(bad({ page_path: "/".repeat(2049) })).toBe("page_path");
    expect(bad({ props: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } })).toBe("props.a.b.c.d.e.f.g.h");
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
    expect(issues(parseIngestBody({ events: [] }, options))).toEqual([{ path: "events", message: "a batch holds 1 to 500 events, got 0" }]);
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

describe("parseIngestBody: text rules (docs/api.md)", () => {
  const cjk = "\u6f22"; // 3 bytes of UTF-8
  const firstIssue = (patch: Record<string, unknown>) => issues(parseIngestBody({ ...valid, ...patch }, options))[0];

  it("refuses U+0000, lone surrogates and control characters in ids and paths, naming the field", () => {
    expect(firstIssue({ user_id: "u\u0000x" })).toEqual({ path: "user_id", message: "user_id must not contain U+0000 (NUL)" });
    expect(firstIssue({ session_id: "s\ud800" })).toEqual({
      path: "session_id",
      message: "session_id must be valid Unicode (it holds a lone surrogate)",
    });
    expect(firstIssue({ session_id: "\udc00s" })?.path).toBe("session_id");
    expect(firstIssue({ page_path: "/a\tb" })).toEqual({ path: "page_path", message: "page_path must not contain control characters" });
    expect(firstIssue({ page_path: "/a\u007f" })?.path).toBe("page_path");
    expect(firstIssue({ page_path: "/a\u0085" })?.path).toBe("page_path");
    expect(firstIssue({ event_type: "button_clicked", button_id: "b\nx" })?.path).toBe("button_id");
    // A valid surrogate pair (an emoji) is fine.
    expect(parseIngestBody({ ...valid, user_id: "u\ud83d\ude00" }, options).ok).toBe(true);
  });

  it("checks every field of context (docs/api.md, Context) and keeps a valid one for enrichment", () => {
    const context = { ip: "203.0.113.9", user_agent: "Mozilla/5.0", url: "https://a.example/?utm_source=x", language: "de-DE" };
    expect(events(parseIngestBody({ ...valid, context }, options))[0]?.context).toEqual(context);
    const pathOf = (patch: Record<string, unknown>) => firstIssue({ context: { ...context, ...patch } })?.path;
    expect(pathOf({ ip: "not an address" })).toBe("context.ip");
    expect(pathOf({ ip: "1.2.3.4, 5.6.7.8" })).toBe("context.ip");
    expect(pathOf({ url: "https://a.example/\u0000" })).toBe("context.url");
    expect(pathOf({ url: `https://a.example/${"a".repeat(8 * 1024)}` })).toBe("context.url");
    expect(pathOf({ referrer: "https://r.example/\ud800" })).toBe("context.referrer");
    expect(pathOf({ user_agent: "x".repeat(1025) })).toBe("context.user_agent");
    expect(pathOf({ language: "de\nDE" })).toBe("context.language");
    expect(pathOf({ screen_width: -1 })).toBe("context.screen_width");
    expect(pathOf({ screen_width: 1.5 })).toBe("context.screen_width");
    expect(pathOf({ screen_width: 1e9 })).toBe("context.screen_width");
    expect(firstIssue({ context: { ...context, cookie: "a=b" } })?.path).toMatch(/^context/);
    expect(firstIssue({ context: "203.0.113.9" })?.path).toBe("context");
    expect(firstIssue({ context: { nested: { deep: { deeper: {} } } } })?.path).toMatch(/^context/);
  });

  it("refuses U+0000 and lone surrogates anywhere in props, keys included, but allows other controls there", () => {
    expect(firstIssue({ props: { note: "a\u0000b" } })).toEqual({
      path: "props.note",
      message: "a props value must not contain U+0000 (NUL)",
    });
    expect(firstIssue({ props: { list: ["ok", "\ud800"] } })?.path).toBe("props.list[1]");
    expect(firstIssue({ props: { "k\u0000": 1 } })).toEqual({
      path: "props.k\u0000",
      message: "a props key must not contain U+0000 (NUL)",
    });
    expect(parseIngestBody({ ...valid, props: { note: "line 1\nline 2\ttab" } }, options).ok).toBe(true);
  });

  it("limits nesting of props to 8 levels", () => {
    let eight: unknown = 1;
    for (let i = 0; i < 8; i++) eight = { n: eight };
    expect(parseIngestBody({ ...valid, props: eight as Record<string, unknown> }, options).ok).toBe(true);
    const nine = { n: eight };
    expect(firstIssue({ props: nine })).toEqual({ path: "props.n.n.n.n.n.n.n.n", message: "props may nest at most 8 levels" });
    expect(firstIssue({ props: { a: [[[[[[[[1]]]]]]]] } })?.message).toBe("props may nest at most 8 levels");
  });

  it("counts lengths in UTF-8 bytes: a 2048-byte page path of CJK characters fits, one byte more does not", () => {
    const path2048 = `/${cjk.repeat(682)}/`; // 1 + 682 * 3 + 1 = 2048 bytes
    expect(Buffer.byteLength(path2048)).toBe(2048);
    expect(parseIngestBody({ ...valid, page_path: path2048 }, options).ok).toBe(true);
    expect(firstIssue({ page_path: `${path2048}x` })).toEqual({
      path: "page_path",
      message: "page_path must be at most 2048 bytes of UTF-8 (got 2049)",
    });
    // 86 characters but 258 bytes.
    expect(firstIssue({ user_id: cjk.repeat(86) })?.message).toBe("user_id must be at most 256 bytes of UTF-8 (got 258)");
    expect(parseIngestBody({ ...valid, user_id: `${cjk.repeat(85)}x` }, options).ok).toBe(true);
  });
});
