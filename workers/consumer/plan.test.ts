import { randomUUID } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeEventMessage } from "./decode";
import { planBatch } from "./plan";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";

const logs = "/logs";
const now = new Date("2026-11-28T15:00:00.000Z");

const SITE = "5a1e0000-0000-4000-8000-000000000001";

function stored(overrides: Record<string, unknown> = {}) {
  return {
    site_id: SITE,
    event_type: "page_visited",
    user_id: "u1",
    session_id: "s1",
    page_path: "/home",
    event_id: randomUUID(),
    event_time: "2026-11-28T14:05:00.000Z",
    ...overrides,
  };
}

function msg(value: unknown, offset: number, key = "s1") {
  const buf = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
  return { offset: String(offset), key: Buffer.from(key), value: buf, headers: {} };
}

describe("decodeEventMessage", () => {
  it("keeps the event's key order as received", () => {
    const e = {
      site_id: SITE,
      session_id: "s",
      event_time: "2026-11-28T14:05:00.000Z",
      event_type: "x",
      user_id: "u",
      event_id: randomUUID(),
    };
    const r = decodeEventMessage(Buffer.from(JSON.stringify(e)));
    expect(r).toMatchObject({ ok: true, eventType: "x", eventTime: e.event_time, siteId: SITE });
    expect(r.ok && r.line.toString()).toBe(JSON.stringify(e));
  });

  it("gives an event from before sites (no site_id, still in Kafka at the upgrade) to the default site", () => {
    const e = { session_id: "s", event_time: "2026-11-28T14:05:00.000Z", event_type: "x", user_id: "u", event_id: randomUUID() };
    const r = decodeEventMessage(Buffer.from(JSON.stringify(e)));
    expect(r).toMatchObject({ ok: true, siteId: DEFAULT_SITE_ID });
    expect(r.ok && r.line.toString()).toBe(JSON.stringify({ site_id: DEFAULT_SITE_ID, ...e }));
  });

  it("turns a value spread over several lines into one line, keys still in their order", () => {
    const e = {
      site_id: SITE,
      session_id: "s",
      event_type: "x",
      user_id: "u",
      event_id: randomUUID(),
      event_time: "2026-11-28T14:05:00.000Z",
    };
    const r = decodeEventMessage(Buffer.from(JSON.stringify(e, null, 2).replace(/\n/g, "\r\n")));
    expect(r.ok && r.line.toString()).toBe(JSON.stringify(e));
  });

  it.each([
    ["empty", Buffer.alloc(0), /empty/],
    ["not UTF-8", Buffer.from([0xc3, 0x28]), /UTF-8/],
    ["not JSON", Buffer.from("not json"), /not JSON/],
    ["a JSON string", Buffer.from('"hello"'), /not an object \(got string\)/],
    ["a JSON array", Buffer.from("[]"), /not an object \(got array\)/],
    ["a wrong type", Buffer.from('{"event_type":5}'), /event_type/],
    ["an unknown field", Buffer.from(JSON.stringify({ ...stored(), extra: 1 })), /extra/],
    ["no event_id", Buffer.from(JSON.stringify({ ...stored(), event_id: undefined })), /event_id/],
    ["a non-UTC event_time", Buffer.from(JSON.stringify(stored({ event_time: "2026-11-28T14:05:00+02:00" }))), /event_time/],
    ["a click without button_id", Buffer.from(JSON.stringify(stored({ event_type: "button_clicked" }))), /button_id/],
  ])("rejects %s", (_name, value, error) => {
    const r = decodeEventMessage(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it("rejects a null value (tombstone)", () => {
    expect(decodeEventMessage(null)).toMatchObject({ ok: false });
  });
});

describe("planBatch", () => {
  it("groups lines per hourly file of the partition, session boundaries also in the sessions log, dead letters by arrival day", () => {
    const a = stored({ event_type: "session_created" });
    const b = stored({ event_time: "2026-11-28T14:59:59.999Z" });
    const c = stored({ event_time: "2026-11-27T23:00:00.000Z", event_type: "session_ended" });
    const d = stored({ event_type: "button_clicked", button_id: "buy" });
    const plan = planBatch("web_events", 2, [msg(a, 10), msg(b, 11), msg("oops", 12, "k"), msg(c, 13), msg(d, 14)], logs, now);
    expect(plan.events).toBe(4);
    const asText = Object.fromEntries([...plan.lines].map(([file, lines]) => [file, lines.map(String)]));
    expect(asText).toEqual({
      [path.join(logs, `events/${SITE}/2026-11-28/14.p2.jsonl`)]: [a, b, d].map((e) => JSON.stringify(e)),
      [path.join(logs, `sessions/${SITE}/2026-11-28/14.p2.jsonl`)]: [JSON.stringify(a)],
      [path.join(logs, `events/${SITE}/2026-11-27/23.p2.jsonl`)]: [JSON.stringify(c)],
      [path.join(logs, `sessions/${SITE}/2026-11-27/23.p2.jsonl`)]: [JSON.stringify(c)],
      [path.join(logs, "dead-letter/2026-11-28.p2.jsonl")]: [
        JSON.stringify({
          received_at: now.toISOString(),
          topic: "web_events",
          partition: 2,
          offset: "12",
          key: "k",
          error: plan.deadLetters[0]!.record.error,
          value: "oops",
          value_encoding: "utf8",
        }),
      ],
    });
    expect(plan.deadLetters).toHaveLength(1);
    expect(plan.deadLetters[0]!.dlqMessage.headers).toMatchObject({
      "dlq-source-topic": "web_events",
      "dlq-source-partition": "2",
      "dlq-source-offset": "12",
    });
  });

  it("stores a non-UTF-8 value as base64 in the dead-letter log", () => {
    const raw = Buffer.from([0xff, 0x00, 0x41]);
    const plan = planBatch("t", 0, [msg(raw, 1)], logs, now);
    expect(plan.deadLetters[0]!.record).toMatchObject({ value: raw.toString("base64"), value_encoding: "base64" });
    expect(plan.deadLetters[0]!.dlqMessage.value).toEqual(raw);
  });
});
