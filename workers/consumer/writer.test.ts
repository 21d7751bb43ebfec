import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JsonlWriter, repairPartialLineAt } from "./writer";

describe("JsonlWriter", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "pulse-consumer-writer-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates missing directories and appends each file's lines, one per line", async () => {
    const a = path.join(dir, "events/2026-11-28/14.jsonl");
    const b = path.join(dir, "sessions/2026-11-28/14.jsonl");
    const writer = new JsonlWriter();
    await writer.appendDurable(
      new Map([
        [a, ['{"n":1}', '{"n":2}']],
        [b, ['{"n":1}']],
      ]),
    );
    await writer.appendDurable(new Map([[a, ['{"n":3}']]]));
    await writer.close();
    expect(await readFile(a, "utf8")).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    expect(await readFile(b, "utf8")).toBe('{"n":1}\n');
  });

  it("cuts a partial last line left by a killed writer before its first append", async () => {
    const file = path.join(dir, "events/2026-11-28/14.jsonl");
    const first = new JsonlWriter();
    await first.appendDurable(new Map([[file, ['{"n":1}']]]));
    await first.close();
    await writeFile(file, '{"n":1}\n{"n":2}\n{"event_type":"page_vi', { flag: "w" });
    const repairs: Array<[string, number]> = [];
    const writer = new JsonlWriter({ onRepair: (f, n) => repairs.push([f, n]) });
    await writer.appendDurable(new Map([[file, ['{"n":3}']]]));
    await writer.appendDurable(new Map([[file, ['{"n":4}']]]));
    await writer.close();
    expect(await readFile(file, "utf8")).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
    expect(repairs).toEqual([[file, '{"event_type":"page_vi'.length]]);
  });

  it("empties a file whose only content is a partial line, and leaves complete files alone", async () => {
    const partialOnly = path.join(dir, "a.jsonl");
    const complete = path.join(dir, "b.jsonl");
    const empty = path.join(dir, "c.jsonl");
    await writeFile(partialOnly, '{"half":');
    await writeFile(complete, '{"n":1}\n');
    await writeFile(empty, "");
    expect(await repairPartialLineAt(partialOnly)).toBe(8);
    expect(await repairPartialLineAt(complete)).toBe(0);
    expect(await repairPartialLineAt(empty)).toBe(0);
    expect(await repairPartialLineAt(path.join(dir, "missing.jsonl"))).toBe(0);
    expect(await readFile(partialOnly, "utf8")).toBe("");
    expect(await readFile(complete, "utf8")).toBe('{"n":1}\n');
  });

  it("finds the last newline even when the partial line is longer than one read chunk", async () => {
    const file = path.join(dir, "big.jsonl");
    const longPartial = `{"props":"${"x".repeat(200_000)}`;
    await writeFile(file, `{"n":1}\n${longPartial}`);
    expect(await repairPartialLineAt(file)).toBe(longPartial.length);
    expect(await readFile(file, "utf8")).toBe('{"n":1}\n');
  });

  it("keeps appending correctly when it closes least recently used files beyond its limit", async () => {
    const writer = new JsonlWriter({ maxOpenFiles: 2 });
    const files = [0, 1, 2, 3].map((i) => path.join(dir, `h${i}.jsonl`));
    for (let round = 0; round < 3; round++) {
      for (const f of files) await writer.appendDurable(new Map([[f, [`{"round":${round}}`]]]));
    }
    await writer.close();
    for (const f of files) expect(await readFile(f, "utf8")).toBe('{"round":0}\n{"round":1}\n{"round":2}\n');
  });

  it("rejects a failed append and keeps working for the next one", async () => {
    await writeFile(path.join(dir, "events"), "not a directory");
    const writer = new JsonlWriter();
    await expect(writer.appendDurable(new Map([[path.join(dir, "events/2026-11-28/14.jsonl"), ['{"n":1}']]]))).rejects.toThrow(
      /ENOTDIR|EEXIST/,
    );
    const ok = path.join(dir, "ok.jsonl");
    await writer.appendDurable(new Map([[ok, ['{"n":2}']]]));
    await writer.close();
    expect(await readFile(ok, "utf8")).toBe('{"n":2}\n');
  });

  it("serialises concurrent appends so lines never interleave", async () => {
    const file = path.join(dir, "c.jsonl");
    const writer = new JsonlWriter();
    const big = (tag: string) => Array.from({ length: 2000 }, (_, i) => JSON.stringify({ tag, i }));
    await Promise.all([writer.appendDurable(new Map([[file, big("a")]])), writer.appendDurable(new Map([[file, big("b")]]))]);
    await writer.close();
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(4000);
    expect(lines.slice(0, 2000).every((l) => l.includes('"a"'))).toBe(true);
    expect(lines.slice(2000).every((l) => l.includes('"b"'))).toBe(true);
  });
});
