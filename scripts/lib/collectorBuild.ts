/**
 * Builds the browser tracker src/collector/pulse.ts into public/pulse.js (docs/collector.md).
 * The output is committed; src/collector/pulse.test.ts fails when it differs from a fresh build.
 * Run by `npm run build:collector`, `npm run build` and before every build of scripts/lib/nextBuild.ts.
 */
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";

export const COLLECTOR_SOURCE = "src/collector/pulse.ts";
export const COLLECTOR_OUTPUT = "public/pulse.js";

/** The minified tracker, as it is served. */
export async function buildCollector(appDir: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(appDir, COLLECTOR_SOURCE)],
    bundle: true,
    minify: true,
    format: "iife",
    // Optional chaining stays as it is; newer syntax (||=) is rewritten. Browsers older than that lack sendBeacon too.
    target: "es2020",
    legalComments: "none",
    // Not the repository's tsconfig.json: the output must not change with settings made for the app.
    tsconfigRaw: {},
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/**
 * Writes public/pulse.js when it differs from a fresh build; returns whether it wrote. Atomic (temp
 * file + rename) because several test processes may build the app, and read public/, at once.
 */
export async function writeCollector(appDir: string): Promise<boolean> {
  const code = await buildCollector(appDir);
  const out = path.join(appDir, COLLECTOR_OUTPUT);
  if (existsSync(out) && readFileSync(out, "utf8") === code) return false;
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, out);
  return true;
}
