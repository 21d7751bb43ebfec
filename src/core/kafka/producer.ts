import type { Kafka, Message, Producer } from "kafkajs";
import { getConfig, type AppConfig } from "../config";
import type { StoredEvent } from "../events";
import { logger as rootLogger, type Logger } from "../logging/logger";
import { createKafka } from "./client";
import { recordingPartitioner, unacknowledged } from "./partitionCheck";

/**
 * Whether events of a failed publish may be on the topic all the same: "none" when nothing was
 * sent (no connection, the fast-fail window, shutting down), "unknown" once a send reached Kafka
 * (it timed out or failed before the acknowledgement came back).
 */
export type WrittenState = "none" | "unknown";

/** The Kafka message key of an event: its session, within its site. */
export function messageKey(event: Pick<StoredEvent, "site_id" | "session_id">): string {
  return `${event.site_id}:${event.session_id}`;
}

/** Kafka could not take the events in time; the caller answers 503 with Retry-After. */
export class KafkaUnavailableError extends Error {
  readonly retryAfterSeconds: number;
  readonly written: WrittenState;
  constructor(message: string, retryAfterSeconds: number, options: { cause?: unknown; written?: WrittenState } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KafkaUnavailableError";
    this.retryAfterSeconds = retryAfterSeconds;
    // When in doubt, "unknown": resending with the same event_ids is always safe.
    this.written = options.written ?? "unknown";
  }
}

/**
 * The default for EventProducerOptions.maxSendBytes: a send stays far below the topics' record-batch
 * limit (topics.ts) however many requests it carries. The biggest publish of a default request
 * (1 MiB body + ≈ 45 KB of stamped event_id/event_time) is a little over it and so goes alone, and
 * alone it fits the limit too (topics.ts: largestRequestBatchBytes).
 */
export const MAX_SEND_BYTES = 1024 * 1024;

export interface EventProducerOptions {
  config?: AppConfig;
  kafka?: Kafka;
  /** Defaults to config.kafka.topic. */
  topic?: string;
  /** How long to collect concurrent publishes into one send (config.kafka.linger_ms). */
  lingerMs?: number;
  /** How long a publish may wait for the acknowledgement before it fails (config.kafka.send_timeout_ms). */
  sendTimeoutMs?: number;
  /**
   * One send carries at most this many bytes of keys and values (UTF-8); a single publish that is
   * bigger goes alone. A send is also started at once when this many bytes are waiting.
   */
  maxSendBytes?: number;
  /** After a connection failure, publishes fail at once for this long, then one attempt probes the broker. */
  retryIntervalMs?: number;
  /**
   * How many sends may be in flight at once, each on its own idempotent kafkajs producer (one
   * producer serialises its requests to a broker). Default 1: measured here, a second one did not
   * raise throughput (the CPU, not the broker round trip, is the limit) and one keeps concurrent
   * requests of a session in arrival order.
   */
  sendConcurrency?: number;
  logger?: Logger;
}

export interface PublishStats {
  sends: number;
  messages: number;
  failedSends: number;
  resets: number;
  /** Events sent again because kafkajs's answer left their partition out (partitionCheck.ts). */
  resent: number;
  /** Bytes of keys and values of the biggest send so far. */
  largestSendBytes: number;
}

interface Pending {
  messages: Message[];
  bytes: number;
  enqueuedAt: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

const CONNECTION_ERROR_NAMES = /Connection|NumberOfRetriesExceeded|RequestTimeout|BrokerNotFound|Metadata|Timeout|LockTimeout/;

/**
 * Publishes stored events to the event topic with acks = all from an idempotent producer.
 *
 * Concurrent publishes are collected for `lingerMs` (or until `maxSendBytes`) and go out in ONE
 * sendBatch of at most `maxSendBytes`, so one huge request can never push a send past the broker's
 * limit and fail the requests that share it; every caller's promise settles with the outcome of the
 * send that carried its events.
 * One send is in flight at a time (`sendConcurrency`; the idempotent producer serialises per
 * broker anyway), and publishes that arrive meanwhile form the next send, so batches grow with load.
 *
 * Failure handling: a failed or timed-out send throws the kafkajs producer away (its sequence
 * numbers can no longer be trusted) and the next send connects a fresh one, so ingest recovers by
 * itself when the broker comes back. For `retryIntervalMs` after a connection failure publishes
 * fail at once, so callers get their 503 quickly instead of each waiting for a connect timeout.
 * One publish (one HTTP request) is never split over two sends. A failure says whether the events
 * may be written all the same (KafkaUnavailableError.written).
 */
export class EventProducer {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly lingerMs: number;
  private readonly sendTimeoutMs: number;
  private readonly maxSendBytes: number;
  private readonly retryIntervalMs: number;
  private readonly log: Logger;

  private readonly lanes: Lane[];
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private lingerTimer: NodeJS.Timeout | null = null;
  private lingerDue = false;
  private unavailableUntil = 0;
  private lastError: string | null = null;
  private closed = false;
  readonly stats: PublishStats = { sends: 0, messages: 0, failedSends: 0, resets: 0, resent: 0, largestSendBytes: 0 };

  constructor(options: EventProducerOptions = {}) {
    const config = options.config ?? getConfig();
    this.kafka = options.kafka ?? createKafka({ config, clientSuffix: "producer" });
    this.topic = options.topic ?? config.kafka.topic;
    this.lingerMs = options.lingerMs ?? config.kafka.linger_ms;
    this.sendTimeoutMs = options.sendTimeoutMs ?? config.kafka.send_timeout_ms;
    this.maxSendBytes = options.maxSendBytes ?? MAX_SEND_BYTES;
    this.retryIntervalMs = options.retryIntervalMs ?? 1_000;
    this.log = (options.logger ?? rootLogger).child({ component: "event-producer", topic: this.topic });
    const lanes = Math.max(1, options.sendConcurrency ?? 1);
    this.lanes = Array.from({ length: lanes }, () => new Lane(this.kafka, this.log));
  }

  /** Seconds a client should wait before retrying after a KafkaUnavailableError. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryIntervalMs / 1000));
  }

  /** Whether the last send or connect succeeded (for health reporting; does not touch the network). */
  get healthy(): boolean {
    return this.lastError === null;
  }

  /**
   * Resolves once Kafka acknowledged every event (acks = all); rejects with KafkaUnavailableError
   * otherwise. Message key = site_id:session_id (a session stays on one partition, in order; the same
   * session id on two sites is two sessions).
   */
  publish(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(this.shutDown());
    const now = Date.now();
    if (now < this.unavailableUntil) return Promise.reject(this.unavailable("Kafka is unavailable", "none"));
    const messages: Message[] = new Array(events.length);
    let bytes = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      // As bytes: kafkajs measures a string value twice and encodes it once per send; a Buffer it copies.
      const value = Buffer.from(JSON.stringify(event));
      const key = messageKey(event);
      bytes += value.length + Buffer.byteLength(key);
      messages[i] = { key, value };
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ messages, bytes, enqueuedAt: now, resolve, reject });
      this.pendingBytes += bytes;
      if (this.pendingBytes >= this.maxSendBytes) {
        this.lingerDue = true;
        this.maybeFlush();
      } else if (!this.lingerTimer && !this.lingerDue) {
        if (this.lingerMs === 0) {
          this.lingerDue = true;
          queueMicrotask(() => this.maybeFlush());
        } else {
          this.lingerTimer = setTimeout(() => {
            this.lingerTimer = null;
            this.lingerDue = true;
            this.maybeFlush();
          }, this.lingerMs);
        }
      }
    });
  }

  /** Connects now (otherwise the first publish does). */
  async connect(): Promise<void> {
    try {
      await Promise.all(this.lanes.map((lane) => lane.get()));
    } catch (err) {
      throw this.unavailable("cannot connect to Kafka", "none", err);
    }
  }

  private get inFlight(): boolean {
    return this.lanes.some((lane) => lane.busy);
  }

  /** Sends what is waiting, then disconnects. Later publishes fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.lingerDue = true;
    this.maybeFlush();
    const deadline = Date.now() + this.sendTimeoutMs;
    while ((this.inFlight || this.pending.length > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.failAll(this.pending.splice(0), this.shutDown());
    await Promise.all(this.lanes.map((lane) => lane.disconnect()));
  }

  private unavailable(message: string, written: WrittenState, cause?: unknown): KafkaUnavailableError {
    return new KafkaUnavailableError(this.lastError ? `${message}: ${this.lastError}` : message, this.retryAfterSeconds, {
      cause,
      written,
    });
  }

  private shutDown(): KafkaUnavailableError {
    return new KafkaUnavailableError("the producer is shut down", this.retryAfterSeconds, { written: "none" });
  }

  private maybeFlush(): void {
    while (this.lingerDue && this.pending.length > 0) {
      const lane = this.lanes.find((l) => !l.busy);
      if (!lane) return;
      const batch = this.takeSend();
      if (this.pending.length === 0) {
        this.lingerDue = false;
        if (this.lingerTimer) {
          clearTimeout(this.lingerTimer);
          this.lingerTimer = null;
        }
      }
      // What is left over stays due: it has waited its linger already.
      void this.send(batch, lane);
    }
  }

  /** The oldest waiting publishes that fit in maxSendBytes together (at least one, whatever its size). */
  private takeSend(): Pending[] {
    let count = 0;
    let bytes = 0;
    while (count < this.pending.length) {
      const next = this.pending[count]!.bytes;
      if (count > 0 && bytes + next > this.maxSendBytes) break;
      bytes += next;
      count++;
    }
    const batch = count === this.pending.length ? this.pending : this.pending.slice(0, count);
    this.pending = count === this.pending.length ? [] : this.pending.slice(count);
    this.pendingBytes -= bytes;
    return batch;
  }

  private async send(batch: Pending[], lane: Lane): Promise<void> {
    lane.busy = true;
    const started = Date.now();
    let oldest = started;
    let count = 0;
    let bytes = 0;
    for (const p of batch) {
      if (p.enqueuedAt < oldest) oldest = p.enqueuedAt;
      count += p.messages.length;
      bytes += p.bytes;
    }
    if (started < this.unavailableUntil) {
      // A send failed while these waited: answer them now rather than probing again at once.
      this.failAll(batch, this.unavailable("Kafka is unavailable", "none"));
      lane.busy = false;
      return;
    }
    // Once producer.send is called the events may be written, whatever happens next; before, a
    // timeout (still connecting) means they never will be: the send is then not made at all.
    let sent = false;
    let expired = false;
    try {
      const remaining = oldest + this.sendTimeoutMs - started;
      if (remaining <= 0) throw this.unavailable("timed out waiting for Kafka", "none");
      const messages = batch.length === 1 ? batch[0]!.messages : batch.flatMap((p) => p.messages);
      await withTimeout(
        lane.get().then((producer) => {
          if (expired) throw this.unavailable("timed out connecting to Kafka", "none");
          sent = true;
          return this.sendAll(producer, messages, () => expired);
        }),
        remaining,
        () => {
          expired = true;
          return new KafkaUnavailableError(`Kafka did not acknowledge within ${this.sendTimeoutMs} ms`, this.retryAfterSeconds, {
            written: sent ? "unknown" : "none",
          });
        },
      );
      this.lastError = null;
      this.stats.sends++;
      this.stats.messages += count;
      if (bytes > this.stats.largestSendBytes) this.stats.largestSendBytes = bytes;
      for (const p of batch) p.resolve();
      this.log.trace({ requests: batch.length, events: count, bytes, ms: Date.now() - started }, "sent");
    } catch (err) {
      this.stats.failedSends++;
      const error = err instanceof Error ? err : new Error(String(err));
      this.lastError = error.message;
      this.log.warn({ err: error, requests: batch.length, events: count }, "send to Kafka failed");
      if (error instanceof KafkaUnavailableError || CONNECTION_ERROR_NAMES.test(error.name)) {
        this.unavailableUntil = Date.now() + this.retryIntervalMs;
      }
      if (lane.reset()) this.stats.resets++;
      this.failAll(
        batch,
        error instanceof KafkaUnavailableError ? error : this.unavailable("Kafka send failed", sent ? "unknown" : "none", error),
      );
    } finally {
      lane.busy = false;
      // Whatever arrived during the send is due unless its linger timer is still running.
      if (this.pending.length > 0 && !this.lingerTimer) this.lingerDue = true;
      this.maybeFlush();
    }
  }

  /**
   * One kafkajs send, then again for what its answer left out (partitionCheck.ts), on the same
   * producer: the same events with the same sequence numbers, so a copy the lost broker did write
   * is recognised by the new leader as a duplicate and not stored twice.
   */
  private async sendAll(producer: Producer, messages: Message[], expired: () => boolean): Promise<void> {
    let left = messages;
    for (let attempt = 1; ; attempt++) {
      const answer = await producer.send({ topic: this.topic, messages: left, acks: -1, timeout: this.sendTimeoutMs });
      left = unacknowledged(left, answer);
      if (left.length === 0) return;
      if (attempt >= 5 || expired()) {
        throw new KafkaUnavailableError("Kafka did not acknowledge every partition", this.retryAfterSeconds, { written: "unknown" });
      }
      this.stats.resent += left.length;
      this.log.warn(
        { events: left.length, partitions: [...new Set(left.map((m) => m.partition))] },
        "partitions left out of a send; sending them again",
      );
    }
  }

  private failAll(batch: Pending[], error: Error): void {
    for (const p of batch) p.reject(error);
  }
}

/** One idempotent kafkajs producer and whether a send is using it. */
class Lane {
  busy = false;
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly log: Logger,
  ) {}

  /** Throws the kafkajs producer away (its sequence numbers can no longer be trusted); the next get() connects a new one. */
  reset(): boolean {
    const producer = this.producer;
    this.producer = null;
    this.connecting = null;
    if (producer) producer.disconnect().catch(() => undefined);
    return producer !== null;
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    this.connecting = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  get(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (this.connecting) return this.connecting;
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: recordingPartitioner,
      allowAutoTopicCreation: true,
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    });
    const attempt: Promise<Producer> = producer.connect().then(
      () => {
        if (this.connecting !== attempt) {
          // reset() ran meanwhile: this producer is no longer wanted.
          producer.disconnect().catch(() => undefined);
          throw new KafkaUnavailableError("Kafka connection was reset", 1, { written: "none" });
        }
        this.connecting = null;
        this.producer = producer;
        this.log.info("connected to Kafka");
        return producer;
      },
      (err: unknown) => {
        if (this.connecting === attempt) this.connecting = null;
        producer.disconnect().catch(() => undefined);
        throw new KafkaUnavailableError(`cannot connect to Kafka: ${(err as Error).message}`, 1, { cause: err, written: "none" });
      },
    );
    this.connecting = attempt;
    return attempt;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

const globalForProducer = globalThis as unknown as { pulseEventProducer?: EventProducer };

/**
 * The process-wide event producer (kept on globalThis so dev reloads reuse it), connected lazily
 * by the first publish and flushed + disconnected on SIGTERM/SIGINT.
 */
export function getEventProducer(): EventProducer {
  if (!globalForProducer.pulseEventProducer) {
    const producer = new EventProducer();
    globalForProducer.pulseEventProducer = producer;
    const shutdown = () => {
      void producer.close();
    };
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
  }
  return globalForProducer.pulseEventProducer;
}
