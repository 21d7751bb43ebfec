import type { Admin } from "kafkajs";
import type { AppConfig } from "@/core/config";
import { CHECK_TIMEOUT_MS, firstLine, withTimeout } from "./dependencies";

export interface ConsumerGroupSpec {
  /** What the group does, e.g. "jsonl_writer". */
  name: string;
  group: string;
  topic: string;
}

/** Every Kafka consumer group the platform runs, with the topic it reads; health reports the lag of each. */
export function consumerGroups(config: AppConfig): ConsumerGroupSpec[] {
  return [
    { name: "jsonl_writer", group: config.kafka.consumer_group, topic: config.kafka.topic },
    { name: "live", group: config.live.consumer_group, topic: config.kafka.topic },
  ];
}

export interface PartitionLag {
  partition: number;
  high: number;
  committed: number | null;
  lag: number;
}

export type ConsumerGroupLag = ConsumerGroupSpec &
  (
    | {
        /** Sum over partitions of high watermark − committed offset (− low watermark when nothing is committed yet). */
        lag: number;
        partitions: PartitionLag[];
        error?: undefined;
      }
    | { error: string }
  );

async function lagOf(admin: Admin, spec: ConsumerGroupSpec): Promise<ConsumerGroupLag> {
  const { group, topic } = spec;
  const [committed, offsets] = await Promise.all([admin.fetchOffsets({ groupId: group, topics: [topic] }), admin.fetchTopicOffsets(topic)]);
  const committedByPartition = new Map<number, number>();
  for (const p of committed.find((t) => t.topic === topic)?.partitions ?? []) {
    committedByPartition.set(p.partition, Number(p.offset));
  }
  const partitions = offsets
    .map((o) => {
      const high = Number(o.high);
      const c = committedByPartition.get(o.partition);
      const committedOffset = c !== undefined && c >= 0 ? c : null;
      return { partition: o.partition, high, committed: committedOffset, lag: Math.max(0, high - (committedOffset ?? Number(o.low))) };
    })
    .sort((a, b) => a.partition - b.partition);
  return { ...spec, lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
}

/** The lag of every group; a group whose lag cannot be read says why, the others still show. */
export function consumerGroupLags(admin: Admin | null, specs: readonly ConsumerGroupSpec[]): Promise<ConsumerGroupLag[]> {
  return Promise.all(
    specs.map(async (spec) => {
      if (!admin) return { ...spec, error: "kafka is down" };
      try {
        return await withTimeout(lagOf(admin, spec), CHECK_TIMEOUT_MS);
      } catch (err) {
        return { ...spec, error: firstLine(err) };
      }
    }),
  );
}
