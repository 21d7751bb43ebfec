/**
 * `next build` only when the sources changed: a content hash of everything that goes into the
 * build is stored beside it, and a lock directory keeps concurrent builds of one dist dir apart.
 * Used by `npm start` (the platform runner) and by the tests that start the app.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { COLLECTOR_SOURCE, writeCollector } from "./collectorBuild";

const FINGERPRINT_FILE = ".pulse-build-fingerprint";
const FINGERPRINT_PATHS = ["src", "public"];
const FINGERPRINT_FILES = [
  "next.config.mjs",
  "package.json",
  "package-lock.json",
  "tailwind.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
];
const SKIP_DIRS = new Set(["node_modules", "generated"]);

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...(await listFiles(full)));
    } else if (entry.isFile() && !/\.test\.tsx?$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

/** Content hash of everything that goes into the build (tests excluded). */
export async function sourceFingerprint(appDir: string): Promise<string> {
  const files = [
    ...(await Promise.all(FINGERPRINT_PATHS.map((p) => listFiles(path.join(appDir, p))))).flat(),
    ...FINGERPRINT_FILES.map((f) => path.join(appDir, f)).filter((f) => existsSync(f)),
  ].sort();
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(path.relative(appDir, file));
    hash.update("\0");
    hash.update(await readFile(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // A lock older than 10 minutes belongs to a build that died.
      const age =
        Date.now() -
        (await stat(lockDir)
          .then((s) => s.mtimeMs)
          .catch(() => Date.now()));
      if (age > 10 * 60_000) await rm(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lockDir}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/**
 * Builds the app in appDir into distDir unless the build there is from the same sources.
 * Returns whether a build ran.
 */
export async function buildNextApp({
  appDir,
  distDir,
  force = false,
}: {
  appDir: string;
  distDir: string;
  force?: boolean;
}): Promise<boolean> {
  const distPath = path.resolve(appDir, distDir);
  const hasBuild = () => existsSync(path.join(distPath, "BUILD_ID"));
  return withLock(`${distPath}.lock`, async () => {
    // public/pulse.js is committed, but a changed tracker source must not be served stale. Before the
    // fingerprint, which covers public/. An app dir from before the tracker has no source to build.
    if (existsSync(path.join(appDir, COLLECTOR_SOURCE))) await writeCollector(appDir);
    const fingerprint = await sourceFingerprint(appDir);
    const stampFile = path.join(distPath, FINGERPRINT_FILE);
    const previous = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : null;
    if (!force && hasBuild() && previous === fingerprint) return false;
    const { code, output } = await run(process.execPath, [path.join(appDir, "node_modules/next/dist/bin/next"), "build"], appDir, {
      ...process.env,
      NEXT_DIST_DIR: distDir,
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
    });
    if (code !== 0) {
      const errors = output
        .split("\n")
        .filter((l) => /error|failed/i.test(l))
        .slice(0, 30)
        .join("\n");
      throw new Error(`next build failed (exit ${code}) in ${appDir} -> ${distDir}:\n${errors}\n---- tail ----\n${output.slice(-3000)}`);
    }
    await writeFile(stampFile, `${fingerprint}\n`);
    return true;
  });
}
