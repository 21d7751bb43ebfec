/**
 * Runs the real web app for integration tests: builds it (once, into its own NEXT_DIST_DIR) and
 * starts it as production does (src/server/web/main.ts, Next behind our client-address step) on a
 * free port with the environment a test wants.
 *
 *   const app = await startApp({ env: { KAFKA_TOPIC: "t1", PULSE_INGEST_RATE_LIMIT_PER_MINUTE: "5" } });
 *   await fetch(`${app.url}/api/health`);
 *   await app.stop();
 *
 * Environment knobs (all optional):
 *   NEXT_DIST_DIR          build output dir, relative to the app dir (default ".next-test")
 *   TEST_APP_DIR           the app's source dir (default: this repository)
 *   TEST_APP_SKIP_BUILD=1  use the existing build as it is (fails if there is none)
 *   TEST_APP_FORCE_BUILD=1 rebuild even if the sources did not change
 *   TEST_PORT_RANGE        e.g. "3100-3199": take ports from this range (default: any free port)
 *   TEST_APP_LOG_DIR       where each started app writes its log (default: the OS temp dir)
 *
 * The build is skipped when a fingerprint of the sources (src, public, the config files,
 * package-lock) matches the one stored beside the last build, so many test files cost one build.
 * A lock directory keeps concurrent test processes from building the same dir at once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { buildNextApp } from "../../scripts/lib/nextBuild";
import { webServerCommand } from "../../scripts/lib/webServer";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

export interface AppOptions {
  /** Extra environment for the app; `undefined` removes a variable inherited from the test process. */
  env?: Record<string, string | undefined>;
  port?: number;
  /** Defaults to TEST_APP_DIR or this repository. */
  appDir?: string;
  /** Defaults to NEXT_DIST_DIR or ".next-test". */
  distDir?: string;
  /** How long to wait for the server to answer (default 60 s). */
  readyTimeoutMs?: number;
  /** A label for the log file name. */
  name?: string;
}

export interface RunningApp {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  /** The app's output so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 10 s). Safe to call twice. */
  stop(timeoutMs?: number): Promise<void>;
}

function resolveDirs(options: Pick<AppOptions, "appDir" | "distDir">): { appDir: string; distDir: string } {
  const appDir = path.resolve(options.appDir ?? process.env.TEST_APP_DIR ?? REPO_ROOT);
  const distDir = options.distDir ?? process.env.NEXT_DIST_DIR ?? ".next-test";
  return { appDir, distDir };
}

/**
 * Builds the app into its dist dir unless the build there is from the same sources.
 * Returns whether a build ran.
 */
export async function buildApp(options: Pick<AppOptions, "appDir" | "distDir"> = {}): Promise<boolean> {
  const { appDir, distDir } = resolveDirs(options);
  if (process.env.TEST_APP_SKIP_BUILD === "1") {
    if (!existsSync(path.join(path.resolve(appDir, distDir), "BUILD_ID")))
      throw new Error(`TEST_APP_SKIP_BUILD=1 but there is no build in ${distDir}`);
    return false;
  }
  const started = Date.now();
  const built = await buildNextApp({ appDir, distDir, force: process.env.TEST_APP_FORCE_BUILD === "1" });
  if (built)
    process.stderr.write(`[test/support/app] built ${appDir} into ${distDir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return built;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const usedPorts = new Set<number>();

/**
 * A port nobody listens on: from the range "lo-hi" (default: TEST_PORT_RANGE) if set, else one
 * the OS hands out. `variable` names the setting the range came from, for the error message.
 */
export async function freePort(range = process.env.TEST_PORT_RANGE, variable = "TEST_PORT_RANGE"): Promise<number> {
  if (range) {
    const m = /^(\d+)-(\d+)$/.exec(range.trim());
    if (!m) throw new Error(`${variable} must look like 3100-3199, got "${range}"`);
    const [lo, hi] = [Number(m[1]), Number(m[2])];
    const span = hi - lo + 1;
    const offset = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = lo + ((offset + i) % span);
      if (!usedPorts.has(port) && (await portFree(port))) {
        usedPorts.add(port);
        return port;
      }
    }
    throw new Error(`no free port in ${range}`);
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Builds if needed, starts the web app with the given environment and waits until it answers. */
export async function startApp(options: AppOptions = {}): Promise<RunningApp> {
  const { appDir, distDir } = resolveDirs(options);
  await buildApp({ appDir, distDir });
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  env.NEXT_DIST_DIR = distDir;
  env.PORT = String(port);
  env.APP_URL ??= `http://127.0.0.1:${port}`;

  const logDir = process.env.TEST_APP_LOG_DIR ?? os.tmpdir();
  await mkdir(logDir, { recursive: true });
  const logFile = path.join(logDir, `pulse-app-${options.name ?? "test"}-${port}-${Date.now()}.log`);
  const log = createWriteStream(logFile);
  let output = "";
  const child = spawn(process.execPath, webServerCommand(appDir, port, "127.0.0.1"), {
    cwd: appDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const onData = (d: Buffer) => {
    const s = d.toString();
    if (output.length < 2_000_000) output += s;
    log.write(s);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      log.end();
      resolve(code ?? (signal ? 128 : null));
    }),
  );
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));

  const url = `http://127.0.0.1:${port}`;
  const stop = async (timeoutMs = 10_000) => {
    if (exitCode !== undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`the web app exited with ${exitCode} before answering (log ${logFile}):\n${output.slice(-4000)}`);
    }
    try {
      // Any HTTP answer means the server is up; this path does not exist, so it touches no dependency.
      const res = await fetch(`${url}/__pulse_test_ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the web app did not answer on ${url} in time (log ${logFile}):\n${output.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, port, pid: child.pid!, logFile, output: () => output, stop };
}
