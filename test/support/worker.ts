/**
 * Runs one of the project's worker scripts (consumer, ETL worker, `npm run etl`) as a real
 * child process, capturing its output, as the platform runner would start it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { Queue } from "bullmq";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface WorkerProcess {
  child: ChildProcess;
  /** Every stdout/stderr line so far. */
  output: string[];
  /** Resolves when an output line contains `text` (e.g. `"msg":"ETL worker ready"`). */
  waitForOutput: (text: string, timeoutMs?: number) => Promise<void>;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: (signal: NodeJS.Signals) => void;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process is gone. */
  stop: (timeoutMs?: number) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWorkerProcess(
  script: string,
  env: NodeJS.ProcessEnv,
  options: { label?: string; nodeArgs?: string[] } = {},
): WorkerProcess {
  // One process: node with tsx's loader (the tsx CLI would put a relaying parent in front of
  // the worker, and a signal racing that relay can leave the worker orphaned). Own process group,
  // so SIGKILL reaches anything the worker started, as a container runtime or systemd would.
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", script], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const label = options.label ?? path.basename(path.dirname(script));
  const output: string[] = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      output.push(line);
      if (process.env.WORKER_TEST_ECHO) process.stderr.write(`[${label} ${child.pid}] ${line}\n`);
      for (const waiter of [...waiters]) {
        if (line.includes(waiter.text)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitForOutput = (text: string, timeoutMs = 60_000): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (output.some((line) => line.includes(text))) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`${label} did not print "${text}" within ${timeoutMs} ms; output:\n${output.slice(-30).join("\n")}`)),
        timeoutMs,
      );
      waiters.push({
        text,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(`${label} exited (code ${code}, signal ${signal}) before printing "${text}"; output:\n${output.slice(-30).join("\n")}`),
        );
      });
    });
  const kill = (signal: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      // SIGKILL: the whole group at once. SIGTERM/SIGINT: to the worker, which shuts down itself.
      if (signal === "SIGKILL") process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  };
  const stop = async (timeoutMs = 20_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  return { child, output, waitForOutput, exited, kill, stop };
}

/** Polls `check` until it returns true; throws with `describe()` after the timeout. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, describe: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
}

export interface EtlWorkerOptions {
  databaseUrl: string;
  redisUrl: string;
  logsDir: string;
  intervalSeconds: number;
  /** More settings, e.g. ETL_SHARDS. */
  env?: Record<string, string>;
  label?: string;
}

/** The ETL worker (workers/etl/main.ts) as a real process on the given database, Redis and logs. */
export function startEtlWorkerProcess(options: EtlWorkerOptions): WorkerProcess {
  return startWorkerProcess(
    "workers/etl/main.ts",
    {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      LOGS_DIR: options.logsDir,
      ETL_INTERVAL_SECONDS: String(options.intervalSeconds),
      LOG_LEVEL: "info",
      ...options.env,
    },
    { label: options.label ?? "etl-worker" },
  );
}

/** user + system CPU seconds of a process so far (Linux /proc), for the benchmarks. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** No jobs and no schedulers on a BullMQ queue: the next worker registers its schedulers anew (a pass at once). */
export async function emptyQueue(redisUrl: string, name: string): Promise<void> {
  const queue = new Queue(name, { connection: { url: redisUrl } });
  try {
    await queue.obliterate({ force: true });
    for (const s of await queue.getJobSchedulers(0, -1)) await queue.removeJobScheduler(s.id ?? s.key);
  } finally {
    await queue.close();
  }
}
