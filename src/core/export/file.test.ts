import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deleteOldExports, exportFileName } from "./file";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("prepared exports on disk", () => {
  it("deletes exports (and partial files) older than keep_hours, and nothing else", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "pulse-exports-"));
    dirs.push(dir);
    const now = Date.now();
    const files = {
      old: exportFileName("41", "ndjson"),
      oldPartial: `${exportFileName("42", "csv")}.partial`,
      fresh: exportFileName("43", "csv"),
      other: "notes.txt",
    };
    for (const name of Object.values(files)) await writeFile(path.join(dir, name), "x");
    const hoursAgo = (h: number) => new Date(now - h * 3_600_000);
    await utimes(path.join(dir, files.old), hoursAgo(25), hoursAgo(25));
    await utimes(path.join(dir, files.oldPartial), hoursAgo(30), hoursAgo(30));
    await utimes(path.join(dir, files.other), hoursAgo(100), hoursAgo(100));
    expect((await deleteOldExports(dir, 24, now)).sort()).toEqual([files.old, files.oldPartial].sort());
    expect((await readdir(dir)).sort()).toEqual([files.fresh, files.other].sort());
    expect(await deleteOldExports(path.join(dir, "missing"), 24, now)).toEqual([]);
  });

  it("names a file after its job id, never a path", () => {
    expect(exportFileName("../../etc/passwd", "ndjson")).toBe("______etc_passwd.ndjson.gz");
  });
});
