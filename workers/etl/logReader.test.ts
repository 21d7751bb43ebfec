import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { forEachLineSessionId, readLines, readLinesOfSessions, scanSessionIds, SessionEvents, sessionKey } from "./logReader";

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
  const E1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const E2 = "1f8fad5b-d9cb-469f-a165-70867728950e";
  const SITE = "5a1e0000-0000-4000-8000-00000000000a";
  const lines = [
    {
      site_id: SITE,
      event_id: E1,
      event_type: "page_visited",
      user_id: "u1",
      session_id: "a",
      event_time: "2026-01-01T00:00:01.000Z",
      page_path: "/",
    },
    {
      site_id: SITE,
      event_id: E2,
      event_type: "page_visited",
      user_id: "u2",
      session_id: "b",
      event_time: "2026-01-01T00:00:02.000Z",
      page_path: "/\u6f22",
    },
  ].map((e) => JSON.stringify(e));
  // The last line is still being written: no newline yet.
  writeFileSync(file, `${lines[0]}\n${lines[1]}\n{"event_id":"e3","sess`);

  it("stops at the last complete line and returns its end, giving each line's byte position", async () => {
    const seen: Array<[string | undefined, number, number]> = [];
    const end = await readLines(file, 0, 10_000, (line, at) => seen.push([line, at.offset, at.bytes]));
    const first = Buffer.byteLength(lines[0]!);
    expect(seen).toEqual([
      [lines[0], 0, first],
      [lines[1], first + 1, Buffer.byteLength(lines[1]!)],
    ]);
    expect(end).toBe(Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`));
    const ids: string[] = [];
    expect(await scanSessionIds(file, 0, 10_000, (id) => ids.push(id))).toBe(end);
    expect(ids).toEqual(["a", "b"]);
  });

  it("reads from an offset, and only the wanted sessions' lines", async () => {
    const start = Buffer.byteLength(`${lines[0]}\n`);
    const seen: Array<string | undefined> = [];
    await readLines(file, start, 10_000, (line) => seen.push(line));
    expect(seen).toEqual([lines[1]]);
    const wanted: string[] = [];
    await readLinesOfSessions(
      file,
      0,
      10_000,
      (id) => id === "a",
      (line) => wanted.push(line),
    );
    expect(wanted).toEqual([lines[0]]);
  });

  it("groups parsed events by session and refuses lines that are not valid events, saying why", () => {
    const events = new SessionEvents();
    expect(events.addLine(lines[0]!, SITE)).toEqual({ kind: "added" });
    expect(events.addLine('{"event_id":"x","session_id":"a"}', SITE)).toMatchObject({ kind: "refused", sessionId: "a" });
    expect(events.addLine("garbage", SITE)).toMatchObject({ kind: "refused", reason: expect.stringMatching(/^not JSON/) });
    const nul = JSON.stringify({ ...JSON.parse(lines[0]!), event_id: E2, user_id: "u\u0000x" });
    expect(events.addLine(nul, SITE)).toEqual({
      kind: "refused",
      reason: "not a valid event: user_id: user_id must not contain U+0000 (NUL)",
      sessionId: "a",
    });
    const early = JSON.stringify({ ...JSON.parse(lines[0]!), event_id: E2, event_time: "0001-01-01T00:00:00.000Z" });
    expect(events.addLine(early, SITE)).toMatchObject({ kind: "refused", reason: expect.stringContaining("before 1970") });
    expect(events.take(sessionKey(SITE, "a"))).toEqual([
      { eventId: E1, type: "page_visited", userId: "u1", time: Date.parse("2026-01-01T00:00:01.000Z"), pagePath: "/", buttonId: undefined },
    ]);
    expect(events.take(sessionKey(SITE, "a"))).toBeUndefined();
  });

  it("takes a line only in its own site's folder; lines from before sites name none", () => {
    const events = new SessionEvents();
    const other = "5a1e0000-0000-4000-8000-00000000000b";
    expect(events.addLine(lines[0]!, other)).toMatchObject({
      kind: "refused",
      reason: expect.stringMatching(/names site 5a1e.*folder of site 5a1e/),
    });
    const { site_id: _, ...old } = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(events.addLine(JSON.stringify(old), other)).toMatchObject({ kind: "refused" });
    expect(events.addLine(JSON.stringify(old), other, true)).toEqual({ kind: "added" });
    // The same session id on two sites is two sessions.
    expect(events.addLine(lines[0]!, SITE)).toEqual({ kind: "added" });
    expect(events.take(sessionKey(other, "a"))).toHaveLength(1);
    expect(events.take(sessionKey(SITE, "a"))).toHaveLength(1);
  });

  it("checks a repeated dims set once and shares it, but still checks the rest of the line and any other dims", () => {
    const events = new SessionEvents();
    const dims = { country: "FR", device: "mobile" };
    const base = { ...(JSON.parse(lines[0]!) as Record<string, unknown>), dims };
    const line = (over: Record<string, unknown>) => JSON.stringify({ ...base, event_id: crypto.randomUUID(), ...over });
    expect(events.addLine(line({}), SITE)).toEqual({ kind: "added" });
    expect(events.addLine(line({ dims: { device: "mobile", country: "FR" } }), SITE)).toEqual({ kind: "added" });
    expect(events.addLine(line({ user_id: "" }), SITE)).toMatchObject({ kind: "refused", reason: expect.stringContaining("user_id") });
    expect(events.addLine(line({ dims: [] }), SITE)).toMatchObject({ kind: "refused", reason: expect.stringContaining("dims") });
    expect(events.addLine(line({ dims: { ...dims, os: "" } }), SITE)).toMatchObject({
      kind: "refused",
      reason: expect.stringContaining("dims.os"),
    });
    const proto = `{${line({}).slice(1, -1).replace('"dims":{', '"dims":{"__proto__":"x",')}}`;
    expect(events.addLine(proto, SITE)).toMatchObject({ kind: "refused", reason: expect.stringContaining("dims") });
    const [first, second] = events.take(sessionKey(SITE, "a"))!;
    expect(first!.dims).toEqual(dims);
    expect(second!.dims).toBe(first!.dims);
  });

  it("skips valid lines of sessions set aside earlier", () => {
    const events = new SessionEvents(new Set([sessionKey(SITE, "a")]));
    expect(events.addLine(lines[0]!, SITE)).toEqual({ kind: "skipped" });
    expect(events.addLine(lines[1]!, SITE)).toEqual({ kind: "added" });
  });

  it("hands a line that is not valid UTF-8 over without decoding it, and only that line", async () => {
    const bad = path.join(dir, "01.jsonl");
    const broken = Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    writeFileSync(bad, Buffer.concat([Buffer.from(`${lines[0]}\n`), broken, Buffer.from(`${lines[1]}\n`)]));
    const seen: Array<[string | undefined, number]> = [];
    await readLines(bad, 0, 10_000, (line, at) => seen.push([line, at.offset]));
    const first = Buffer.byteLength(lines[0]!) + 1;
    expect(seen).toEqual([
      [lines[0], 0],
      [undefined, first],
      [lines[1], first + broken.length],
    ]);
  });

  it("reads files bigger than its 8 MiB buffer and lines longer than it, and the next file sees nothing of them", async () => {
    const big = path.join(dir, "02.jsonl");
    const line = (i: number, pad: number) => JSON.stringify({ session_id: `s${i}`, event_id: `e${i}`, page_path: `/${"p".repeat(pad)}` });
    // ~10 MB of ordinary lines, one line of 9 MB, then a few more: reads must carry lines across buffer ends.
    const written = [...Array.from({ length: 20_000 }, (_, i) => line(i, 450)), line(20_000, 9 * 1024 * 1024), line(20_001, 10)];
    writeFileSync(big, `${written.join("\n")}\n`);
    const seen: Array<[string | undefined, number]> = [];
    const end = await readLines(big, 0, 1e9, (l, at) => seen.push([l, at.offset]));
    expect(end).toBe(Buffer.byteLength(`${written.join("\n")}\n`));
    expect(seen.map(([l]) => l)).toEqual(written);
    let offset = 0;
    for (const [i, [, at]] of seen.entries()) {
      expect(at).toBe(offset);
      offset += Buffer.byteLength(written[i]!) + 1;
    }
    const ids: string[] = [];
    await scanSessionIds(big, 0, 1e9, (id) => ids.push(id));
    expect(ids).toEqual(written.map((_, i) => `s${i}`));

    // A short file read next ends with a line still being written: the bytes an earlier read
    // left in the buffer must not complete it.
    const small = path.join(dir, "03.jsonl");
    writeFileSync(small, `${lines[0]}\n{"event_id":"e9","session_id":"a"`);
    const after: Array<string | undefined> = [];
    expect(await readLines(small, 0, 1e9, (l) => after.push(l))).toBe(Buffer.byteLength(`${lines[0]}\n`));
    expect(after).toEqual([lines[0]]);
    const wanted: string[] = [];
    await readLinesOfSessions(
      small,
      0,
      1e9,
      (id) => id === "a",
      (l) => wanted.push(l),
    );
    expect(wanted).toEqual([lines[0]]);
  });
});
