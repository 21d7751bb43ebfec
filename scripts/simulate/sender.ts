import type { ClientEvent } from "@/core/events";

export interface SendStats {
  requests: number;
  /** Events in requests the API answered 202. */
  accepted: number;
  /** Events given up on, by final HTTP status ("network" when no response). */
  rejected: Record<string, number>;
  retries: number;
  /** First few error bodies, to show the user why. */
  errorSamples: string[];
}

export interface SenderOptions {
  url: string;
  apiKey: string;
  maxRetries: number;
  timeoutMs: number;
  /** Called before each retry wait (for progress output). */
  onRetry?: (status: string, waitMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export function emptyStats(): SendStats {
  return { requests: 0, accepted: 0, rejected: {}, retries: 0, errorSamples: [] };
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * Sends events to POST /api/events: one event as a single body, more as {"events": [...]}.
 * Events carry their event_id, so a retried request is counted once by the platform.
 * 429/503 (and 502/504, network errors) are retried after Retry-After or an exponential backoff.
 */
export class EventSender {
  readonly stats = emptyStats();
  private readonly endpoint: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SenderOptions) {
    this.endpoint = new URL("/api/events", options.url).toString();
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async send(events: readonly ClientEvent[]): Promise<void> {
    if (events.length === 0) return;
    const body = JSON.stringify(events.length === 1 ? events[0] : { events });
    for (let attempt = 0; ; attempt++) {
      let status: string;
      let retryAfterMs: number | undefined;
      let text = "";
      try {
        this.stats.requests++;
        const res = await fetch(this.endpoint, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${this.options.apiKey}` },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        text = await res.text();
        if (res.status === 202) {
          this.stats.accepted += events.length;
          return;
        }
        status = String(res.status);
        retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
        if (!RETRYABLE.has(res.status)) return this.reject(status, events.length, text);
      } catch (err) {
        status = "network";
        text = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
      }
      if (attempt >= this.options.maxRetries) return this.reject(status, events.length, text);
      const waitMs = Math.min(retryAfterMs ?? 250 * 2 ** attempt, 30_000);
      this.stats.retries++;
      this.options.onRetry?.(status, waitMs);
      await this.sleep(waitMs);
    }
  }

  private reject(status: string, count: number, text: string): void {
    this.stats.rejected[status] = (this.stats.rejected[status] ?? 0) + count;
    if (this.stats.errorSamples.length < 5) this.stats.errorSamples.push(`${status}: ${text.slice(0, 300)}`);
  }
}
