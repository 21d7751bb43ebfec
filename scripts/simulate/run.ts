import type { ClientEvent } from "@/core/events";
import type { SimulatorConfig } from "./config";
import { createRng } from "./rng";
import { EventSender, type SendStats } from "./sender";
import { generateEvents } from "./sessions";
import { visitorRng } from "./visitors";

export interface LiveRunOptions {
  config: SimulatorConfig;
  url: string;
  apiKey: string;
  seed: number;
  progressEveryMs?: number;
  print?: (line: string) => void;
  /** Stop early (e.g. on Ctrl-C): no new events are taken, in-flight requests finish. */
  signal?: AbortSignal;
}

export interface LiveRunResult {
  stats: SendStats;
  generated: number;
  elapsedMs: number;
}

/**
 * Sends the generated traffic in real time: each event goes out once its event_time has come
 * (event_time is sent too, so think times survive batching), in batches of batch_size, with at
 * most `concurrency` requests in flight. A partial batch leaves after 250 ms.
 */
export async function runLive(options: LiveRunOptions): Promise<LiveRunResult> {
  const { config, print = console.log } = options;
  const t0 = Date.now();
  const endMs = t0 + config.duration_seconds * 1000;
  const rng = createRng(options.seed);
  const stream = generateEvents(config, rng, { startMs: t0, visitors: config.send_context ? visitorRng(options.seed) : undefined });
  const sender = new EventSender({
    url: options.url,
    apiKey: options.apiKey,
    maxRetries: config.max_retries,
    timeoutMs: config.request_timeout_seconds * 1000,
    onRetry: (status, waitMs) => {
      if (sender.stats.retries <= 5 || sender.stats.retries % 100 === 0)
        print(`  retry #${sender.stats.retries} after ${status}, waiting ${waitMs} ms`);
    },
  });

  const pending: ClientEvent[] = [];
  let oldestPendingAt = 0;
  let generated = 0;
  let inFlight = 0;
  let next = stream.next();
  let nextAt = next.done ? Infinity : Date.parse(next.value.event_time);
  let streamDone = false;
  const inFlightDone = new Set<Promise<void>>();

  const progress = setInterval(() => {
    const s = sender.stats;
    const secs = (Date.now() - t0) / 1000;
    print(
      `[${secs.toFixed(0)}s] generated ${generated}, accepted ${s.accepted} (${Math.round(s.accepted / Math.max(secs, 0.001))}/s), ` +
        `rejected ${sumValues(s.rejected)}, retries ${s.retries}, in flight ${inFlight}, waiting ${pending.length}`,
    );
  }, options.progressEveryMs ?? 5000);
  progress.unref();

  try {
    while (true) {
      const now = Date.now();
      if (!streamDone && (now >= endMs || options.signal?.aborted)) streamDone = true;
      while (!streamDone && !next.done && nextAt <= now) {
        if (pending.length === 0) oldestPendingAt = now;
        pending.push(next.value);
        generated++;
        next = stream.next();
        nextAt = next.done ? Infinity : Date.parse(next.value.event_time);
        if (nextAt >= endMs) streamDone = true;
      }
      if (next.done) streamDone = true;
      while (
        inFlight < config.concurrency &&
        pending.length > 0 &&
        (pending.length >= config.batch_size || streamDone || now - oldestPendingAt >= 250)
      ) {
        const batch = pending.splice(0, config.batch_size);
        oldestPendingAt = now;
        inFlight++;
        const p: Promise<void> = sender.send(batch).finally(() => {
          inFlight--;
          inFlightDone.delete(p);
        });
        inFlightDone.add(p);
      }
      if (streamDone && pending.length === 0 && inFlight === 0) break;
      // Sleep until the next event is due, a request finishes, or a partial batch is due.
      const waitMs = Math.max(1, Math.min(streamDone ? 50 : nextAt - Date.now(), 50));
      await Promise.race([new Promise((r) => setTimeout(r, waitMs)), ...inFlightDone]);
    }
  } finally {
    clearInterval(progress);
  }
  return { stats: sender.stats, generated, elapsedMs: Date.now() - t0 };
}

export function sumValues(record: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(record)) n += v;
  return n;
}
