import type { Consumer, EachBatchPayload, Kafka, Producer } from "kafkajs";
import type { Logger } from "@/core/logging/logger";
import { sendToDlq } from "./deadLetter";
import { planBatch } from "./plan";
import type { JsonlWriter } from "./writer";

export interface JsonlConsumerOptions {
  kafka: Kafka;
  logger: Logger;
  writer: JsonlWriter;
  topic: string;
  dlqTopic: string;
  groupId: string;
  logsDir: string;
  /** Messages written and committed per step inside one Kafka batch (heartbeat between steps). */
  chunkSize?: number;
  /** How often an info summary is logged. */
  summaryIntervalMs?: number;
  /**
   * Partitions processed at once (kafkajs partitionsConsumedConcurrently). Writes are serialised
   * by the writer, but one partition's decoding overlaps another's fsync and offset commit.
   */
  concurrency?: number;
  /** Called when kafkajs gives up consuming (a crash it does not restart from). */
  onFatal?: (error: Error) => void;
}

export interface ConsumerStats {
  events: number;
  deadLetters: number;
  batches: number;
  startedAt: number;
}

/**
 * Kafka -> JSON Lines (docs/logs.md). Per Kafka batch (one partition), in chunks:
 *   decode + group lines per file -> one append per file -> fsync (files, new dirs)
 *   -> poison messages to the DLQ topic (acked) -> resolveOffset -> commit.
 * Offsets are committed only after the lines are durable, so a crash at any point
 * re-delivers (duplicates, never loss).
 */
export class JsonlConsumer {
  readonly stats: ConsumerStats = { events: 0, deadLetters: 0, batches: 0, startedAt: Date.now() };
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly chunkSize: number;
  private summaryTimer?: NodeJS.Timeout;
  private lastSummary = { at: Date.now(), events: 0 };

  constructor(private readonly options: JsonlConsumerOptions) {
    this.chunkSize = options.chunkSize ?? 20_000;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      // Large fetches: each batch costs one fsync per touched file and one offset commit.
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      // Wait a little for data to pile up when traffic is light, return at once when it is heavy.
      minBytes: 64 * 1024,
      maxWaitTimeInMs: 200,
      // A worker that died without leaving the group holds its partitions until the session
      // times out: 10 s (kafkajs default 30 s) so a restarted worker resumes quickly.
      // Batches heartbeat between chunks, so a slow disk does not trip it.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    this.producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
  }

  async start(): Promise<void> {
    const { topic, logger } = this.options;
    await this.producer.connect();
    await this.consumer.connect();
    // A new group starts at the earliest offset: events ingested before the first start are kept.
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      // kafkajs restarts itself after retriable errors (broker restarts, rebalances); after any
      // other error it stops for good, and a worker that no longer consumes must not look alive.
      logger.error({ err: e.payload.error, restart: e.payload.restart }, "consumer crashed");
      if (!e.payload.restart) this.options.onFatal?.(e.payload.error);
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.summaryTimer = setInterval(() => this.logSummary(), this.options.summaryIntervalMs ?? 30_000);
    this.summaryTimer.unref();
  }

  /** Stops fetching, lets the current batch finish (write + fsync + commit), leaves the group. */
  async stop(): Promise<void> {
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    await this.consumer.disconnect();
    await this.producer.disconnect();
    this.logSummary();
  }

  /** Resolves when the group has assigned partitions to this member (for tests and readiness). */
  onGroupJoin(listener: () => void): void {
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => listener());
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isStale } = payload;
    const { logger, writer, dlqTopic, logsDir } = this.options;
    const messages = batch.messages;
    if (messages.length === 0) return;
    const t0 = performance.now();
    let written = 0;
    let dead = 0;
    for (let i = 0; i < messages.length; i += this.chunkSize) {
      // Partition revoked by a rebalance: its new owner re-reads from the last commit.
      if (isStale()) break;
      const chunk = messages.slice(i, i + this.chunkSize);
      const plan = planBatch(batch.topic, batch.partition, chunk, logsDir);
      await writer.appendDurable(plan.lines);
      await sendToDlq(this.producer, dlqTopic, plan.deadLetters);
      for (const dl of plan.deadLetters) {
        logger.warn(
          { partition: batch.partition, offset: dl.record.offset, error: dl.record.error },
          "poison message sent to the dead-letter topic and log",
        );
      }
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary(uncommittedOffsets());
      await heartbeat();
      written += plan.events;
      dead += plan.deadLetters.length;
    }
    this.stats.events += written;
    this.stats.deadLetters += dead;
    this.stats.batches++;
    logger.debug(
      {
        partition: batch.partition,
        events: written,
        deadLetters: dead,
        durationMs: Math.round(performance.now() - t0),
        lastOffset: batch.lastOffset(),
      },
      "batch written",
    );
  }

  private logSummary(): void {
    const now = Date.now();
    const events = this.stats.events - this.lastSummary.events;
    const seconds = Math.max((now - this.lastSummary.at) / 1000, 0.001);
    this.lastSummary = { at: now, events: this.stats.events };
    this.options.logger.info(
      {
        eventsTotal: this.stats.events,
        deadLettersTotal: this.stats.deadLetters,
        batchesTotal: this.stats.batches,
        eventsSinceLast: events,
        eventsPerSecond: Math.round(events / seconds),
      },
      "consumer summary",
    );
  }
}
