import { randomBytes, randomUUID } from "node:crypto";
import { Partitioners, type Message, type PartitionerArgs, type RecordMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { keyPartition } from "./murmur2";
import { recordingPartitioner, unacknowledged } from "./partitionCheck";

const ack = (partition: number, errorCode = 0): RecordMetadata => ({ topicName: "t", partition, errorCode });
const metadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1] }));

describe("recordingPartitioner", () => {
  it("chooses as kafkajs's default partitioner (murmur2 of the key) and writes the choice on the message", () => {
    const choose = recordingPartitioner();
    const counts = [0, 0, 0];
    for (let i = 0; i < 300; i++) {
      const message: Message = { key: `site:session-${i}`, value: "{}" };
      const partition = choose({ topic: "t", partitionMetadata: metadata, message } as PartitionerArgs);
      expect(message.partition).toBe(partition);
      // The same key always lands on the same partition.
      expect(choose({ topic: "t", partitionMetadata: metadata, message: { key: message.key, value: "{}" } } as PartitionerArgs)).toBe(
        partition,
      );
      counts[partition]!++;
    }
    expect(counts.every((n) => n > 50)).toBe(true);
  });
});

describe("keyPartition", () => {
  it("gives every key the partition kafkajs's default partitioner gives it (ASCII, UTF-8, every tail length, long keys)", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const keys = ["", "a", "ab", "abc", "abcd", "é", "漢字", "🙂 session", "x".repeat(5000), "é".repeat(400)];
    for (let i = 0; i < 2000; i++) keys.push(`${randomUUID()}:${String.fromCodePoint(...randomBytes(i % 40).map((b) => b * 97 + 1))}`);
    for (const partitions of [1, 3, 7, 64]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
      }));
      for (const key of keys) {
        const expected = kafkajs({ topic: "t", partitionMetadata, message: { key, value: "" } } as PartitionerArgs);
        expect(keyPartition(key, partitions), key).toBe(expected);
        expect(keyPartition(Buffer.from(key), partitions), key).toBe(expected);
      }
    }
  });
});

describe("unacknowledged", () => {
  const messages: Message[] = [0, 1, 2, 0, 2].map((partition, i) => ({ key: `k${i}`, value: `v${i}`, partition }));

  it("is empty when every partition of the send was acknowledged", () => {
    expect(unacknowledged(messages, [ack(0), ack(1), ack(2)])).toEqual([]);
  });

  it("gives back, in order, the messages of a partition the answer left out (a leader that moved mid-send)", () => {
    expect(unacknowledged(messages, [ack(0), ack(1)]).map((m) => m.value)).toEqual(["v2", "v4"]);
  });

  it("counts a partition answered with an error code as not acknowledged", () => {
    expect(unacknowledged(messages, [ack(0), ack(1, 6), ack(2)]).map((m) => m.value)).toEqual(["v1"]);
  });

  it("counts a message with no recorded partition as not acknowledged", () => {
    expect(unacknowledged([{ key: "k", value: "v" }], [ack(0)])).toHaveLength(1);
  });
});
