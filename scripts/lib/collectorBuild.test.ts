import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync, copyFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { COLLECTOR_OUTPUT, COLLECTOR_SOURCE, buildCollector, writeCollector } from "./collectorBuild";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "pulse-collector-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("writes public/pulse.js only when the build changed it, leaving no temp file", async () => {
  mkdirSync(path.join(dir, path.dirname(COLLECTOR_SOURCE)), { recursive: true });
  mkdirSync(path.join(dir, "public"));
  copyFileSync(path.join(ROOT, COLLECTOR_SOURCE), path.join(dir, COLLECTOR_SOURCE));
  expect(await writeCollector(dir)).toBe(true);
  expect(readFileSync(path.join(dir, COLLECTOR_OUTPUT), "utf8")).toBe(await buildCollector(ROOT));
  expect(await writeCollector(dir)).toBe(false);
  expect(readdirSync(path.join(dir, "public"))).toEqual(["pulse.js"]);
  expect(existsSync(path.join(dir, COLLECTOR_OUTPUT))).toBe(true);
});
