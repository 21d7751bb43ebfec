/**
 * bcrypt off the main thread, with a bound. bcryptjs is pure JavaScript: on the event loop a
 * cost-12 hash blocks it in slices of up to 100 ms for ~250 ms, so a burst of sign-ins would stall
 * ingest in the same process. Here the work runs in worker threads (one by default: on a 2-core
 * machine the other core stays with the event loop), jobs wait in a queue of bounded length, and a
 * job beyond the bound is refused at once with BcryptBusyError instead of queueing forever.
 */
import { Worker } from "node:worker_threads";
import { logger } from "../logging/logger";

/**
 * The worker's code, evaluated (not a file path) so it survives Next's bundling unchanged. Its
 * `require` resolves from the working directory, which is the app's (as for global_config.yaml).
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const bcrypt = require("bcryptjs");
parentPort.on("message", ({ id, op, password, hash, rounds }) => {
  try {
    const result = op === "compare" ? bcrypt.compareSync(password, hash) : bcrypt.hashSync(password, rounds);
    parentPort.postMessage({ id, result });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

export class BcryptBusyError extends Error {
  constructor(limit: number) {
    super(`password hashing is busy (${limit} operations running or waiting)`);
    this.name = "BcryptBusyError";
  }
}

type Job = { op: "compare"; password: string; hash: string } | { op: "hash"; password: string; rounds: number };

interface Pending {
  resolve: (value: boolean | string) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

export interface BcryptPoolOptions {
  /** Worker threads, so at most this many bcrypt operations run at once (default 1). */
  threads?: number;
  /** Operations running or waiting before new ones are refused (default 16). */
  maxPending?: number;
}

export interface BcryptPool {
  compare(password: string, hash: string): Promise<boolean>;
  hash(password: string, rounds: number): Promise<string>;
  /** Operations running or waiting now. */
  pending(): number;
  close(): Promise<void>;
}

export function createBcryptPool({ threads = 1, maxPending = 16 }: BcryptPoolOptions = {}): BcryptPool {
  const pool: Array<Thread | undefined> = new Array(threads).fill(undefined);
  let nextId = 0;
  let inFlight = 0;

  const start = (slot: number): Thread => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const thread: Thread = { worker, pending: new Map() };
    // Idle threads must not keep a CLI process alive; a thread with work does (see run).
    worker.unref();
    worker.on("message", ({ id, result, error }: { id: number; result?: boolean | string; error?: string }) => {
      const job = thread.pending.get(id);
      if (!job) return;
      thread.pending.delete(id);
      if (thread.pending.size === 0) worker.unref();
      if (error !== undefined) job.reject(new Error(error));
      else job.resolve(result!);
    });
    const fail = (err: Error) => {
      if (pool[slot] === thread) pool[slot] = undefined;
      for (const job of thread.pending.values()) job.reject(err);
      thread.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`bcrypt worker exited with code ${code}`)));
    pool[slot] = thread;
    return thread;
  };

  const run = <T extends boolean | string>(job: Job): Promise<T> => {
    if (inFlight >= maxPending) return Promise.reject(new BcryptBusyError(maxPending));
    // The thread with the fewest jobs takes it; a thread that died is started again.
    let slot = 0;
    for (let i = 1; i < threads; i++) if ((pool[i]?.pending.size ?? 0) < (pool[slot]?.pending.size ?? 0)) slot = i;
    const thread = pool[slot] ?? start(slot);
    const id = nextId++;
    inFlight++;
    const started = performance.now();
    return new Promise<T>((resolve, reject) => {
      thread.pending.set(id, { resolve: resolve as (v: boolean | string) => void, reject });
      thread.worker.ref();
      thread.worker.postMessage({ id, ...job });
    }).finally(() => {
      inFlight--;
      // One line per operation (debug): how many checks really ran, and how long they waited.
      logger.debug({ op: job.op, ms: Math.round(performance.now() - started) }, "bcrypt operation done");
    });
  };

  return {
    compare: (password, hash) => run<boolean>({ op: "compare", password, hash }),
    hash: (password, rounds) => run<string>({ op: "hash", password, rounds }),
    pending: () => inFlight,
    async close() {
      await Promise.all(pool.map((thread) => thread?.worker.terminate()));
      pool.fill(undefined);
    },
  };
}

const globalForPool = globalThis as unknown as { pulseBcryptPool?: BcryptPool };

/** The process's pool: every password hash and check of the platform goes through it. */
export function getBcryptPool(): BcryptPool {
  globalForPool.pulseBcryptPool ??= createBcryptPool();
  return globalForPool.pulseBcryptPool;
}
