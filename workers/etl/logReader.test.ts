import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { forEachLineSessionId, readLines, readLinesOfSessions, scanSessionIds, SessionEvents } from "./logReader";

const idsOf = (...lines: string[]): Array<string | undefined> => {
  const buf = Buffer.from(`${lines.join("\n")}\n`);
  const ids: Array<string | undefined> = [];
  forEachLineSessionId(buf, buf.length, (id) => ids.push(id));
  return ids;
};
const idOf = (line: string): string | undefined => idsOf(line)[0];

describe("forEachLineSessionId", () => {
  it("reads session_id without parsing the line", () => {
    expect(idOf('{"event_type":"page_visited","user_id":"u","session_id":"s-1","event_id":"e"}')).toBe("s-1");
  });

  it("never takes a session_id nested in props for the event's", () => {
    expect(idOf('{"props":{"session_id":"fake"},"session_id":"real"}')).toBe("real");
    expect(idOf('{"event_type":"x","props":{"a":1},"session_id":"real2"}')).toBe("real2");
  });

  it("decodes escapes and non-ASCII ids", () => {
    expect(idOf(JSON.stringify({ session_id: 'quo"te\\back' }))).toBe('quo"te\\back');
    expect(idOf(JSON.stringify({ session_id: "sésame-ø" }))).toBe("sésame-ø");
  });

  it("gives undefined for a line that is not an event", () => {
    expect(idOf("not json")).toBeUndefined();
    expect(idOf('{"session_id":42}')).toBeUndefined();
  });

  it("keeps each line's own id when neighbouring lines differ (props, missing ids)", () => {
    expect(
      idsOf(
        '{"session_id":"a","props":{"x":1}}',
        '{"props":{"session_id":"fake"},"session_id":"b"}',
        '{"event_type":"no id here"}',
        '{"session_id":"c"}',
        "garbage",
        '{"user_id":"u","session_id":"d"}',
      ),
    ).toEqual(["a", "b", undefined, "c", undefined, "d"]);
  });
});

describe("reading log files", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pulse-logreader-"));
  const file = path.join(dir, "00.jsonl");
  const lines = [
    { event_id: "e1", event_type: "page_visited", user_id: "u1", session_id: "a", event_time: "2026-01-01T00:00:01.000Z", page_path: "/" },
    { event_id: "e2", event_type: "page_visited", user_id: "u2", session_id: "b", event_time: "2026-01-01T00:00:02.000Z", page_path: "/x" },
  ].map((e) => JSON.stringify(e));
  // The last line is still being written: no newline yet.
  writeFileSync(file, `${lines[0]}\n${lines[1]}\n{"event_id":"e3","sess`);

  it("stops at the last complete line and returns its end", async () => {
    const seen: string[] = [];
    const end = await readLines(file, 0, 10_000, (line) => seen.push(line));
    expect(seen).toEqual(lines);
    expect(end).toBe(Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`));
    const ids: string[] = [];
    expect(await scanSessionIds(file, 0, 10_000, (id) => ids.push(id))).toBe(end);
    expect(ids).toEqual(["a", "b"]);
  });

  it("reads from an offset, and only the wanted sessions' lines", async () => {
    const start = Buffer.byteLength(`${lines[0]}\n`);
    const seen: string[] = [];
    await readLines(file, start, 10_000, (line) => seen.push(line));
    expect(seen).toEqual([lines[1]]);
    const wanted: string[] = [];
    await readLinesOfSessions(file, 0, 10_000, (id) => id === "a", (line) => wanted.push(line));
    expect(wanted).toEqual([lines[0]]);
  });

  it("groups parsed events by session and rejects lines that are not events", () => {
    const events = new SessionEvents();
    expect(events.addLine(lines[0]!)).toBe(true);
    expect(events.addLine('{"event_id":"x","session_id":"a"}')).toBe(false);
    expect(events.addLine("garbage")).toBe(false);
    expect(events.take("a")).toEqual([{ eventId: "e1", type: "page_visited", userId: "u1", time: Date.parse("2026-01-01T00:00:01.000Z"), pagePath: "/", buttonId: undefined }]);
    expect(events.take("a")).toBeUndefined();
  });
});
