import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { liveUpdateOf } from "@/core/live/entry";
import { LIVE_WINDOW_MS } from "@/core/live/keys";
import type { LiveWriter } from "@/core/live/writer";
import type { Logger } from "@/core/logging/logger";
import { decodeEventMessage } from "../consumer/decode";

export interface LiveConsumerOptions {
  kafka: Kafka;
  logger: Logger;
  writer: LiveWriter;
  topic: string;
  groupId: string;
  concurrency?: number;
  /** Messages applied per Redis pipeline (one round trip each). */
  chunkSize?: number;
  onFatal?: (error: Error) => void;
}

/**
 * Kafka -> live state in Redis (docs/live.md). Its own consumer group, so the JSON Lines writer
 * is untouched. Per chunk of a batch: decode, keep what is live, one pipeline of scripts that
 * record each message's offset with its update, then commit to Kafka. The Kafka commit only
 * says where to resume; Redis knows what it holds, so a crash between the two counts nothing twice.
 * A message that cannot be decoded is skipped here: the JSON Lines consumer dead-letters it.
 */
export class LiveConsumer {
  readonly stats = { messages: 0, applied: 0 };
  private readonly consumer: Consumer;

  constructor(private readonly options: LiveConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      // Latency over throughput: return a fetch as soon as anything is there.
      minBytes: 1,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
  }

  async start(): Promise<void> {
    const { topic, logger } = this.options;
    await this.startNewGroupAtWindow();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      logger.error({ err: e.payload.error, restart: e.payload.restart }, "live consumer crashed");
      if (!e.payload.restart) this.options.onFatal?.(e.payload.error);
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /**
   * A restarted worker resumes at its group's commit. A new group starts where the live window
   * starts (the first message of the last 30 minutes of each partition): the live view is about
   * now, and starting "at the end" would race the first events sent after the worker started.
   */
  private async startNewGroupAtWindow(): Promise<void> {
    const { kafka, topic, groupId, logger } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      if (committed && committed.partitions.some((p) => Number(p.offset) >= 0)) return;
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - LIVE_WINDOW_MS);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, offset }) => ({ partition, offset })) });
      logger.info({ groupId, offsets }, "new live group starts at the live window");
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  onGroupJoin(listener: () => void): void {
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => listener());
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isStale }: EachBatchPayload) {
    const chunkSize = this.options.chunkSize ?? 500;
    for (let i = 0; i < batch.messages.length; i += chunkSize) {
      if (isStale()) break;
      const chunk = batch.messages.slice(i, i + chunkSize);
      const now = Date.now();
      const items = chunk.map((message) => {
        const decoded = decodeEventMessage(message.value);
        return {
          source: { topic: batch.topic, partition: batch.partition, offset: message.offset },
          update: decoded.ok ? liveUpdateOf(decoded.event, now) : null,
        };
      });
      // (Read after the await: batches of several partitions run at once.)
      const applied = await this.options.writer.apply(items, now);
      this.stats.applied += applied;
      this.stats.messages += chunk.length;
      this.options.logger.debug({ partition: batch.partition, messages: chunk.length, applied }, "live batch applied");
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary(uncommittedOffsets());
      await heartbeat();
    }
  }
}
