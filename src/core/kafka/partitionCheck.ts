import { Partitioners, type ICustomPartitioner, type Message, type RecordMetadata } from "kafkajs";
import { keyPartition } from "./murmur2";

/**
 * Kafka's default partitioner (murmur2 of the key, as the Java client and kafkajs; murmur2.ts
 * computes it without kafkajs's cost), which also writes the partition it chose onto the message.
 * The producer needs it to see which partitions a send must have reached (unacknowledged below);
 * a retry inside kafkajs then reuses the same partition. A message without a key (the producer
 * never sends one) goes the way kafkajs's default partitioner sends it.
 */
export const recordingPartitioner: ICustomPartitioner = () => {
  const unkeyed = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    const key = message.key;
    const partition = typeof key === "string" || Buffer.isBuffer(key) ? keyPartition(key, partitionMetadata.length) : unkeyed(args);
    message.partition = partition;
    return partition;
  };
};

/**
 * The messages of a send whose partition has no acknowledgement in kafkajs's answer.
 *
 * Why: when a broker fails during a send, kafkajs retries only towards the brokers that have not
 * answered yet (node_modules/kafkajs/src/producer/sendMessages.js). A partition whose leadership
 * moved to a broker that had already answered for its own partitions is then never sent, and the
 * send resolves all the same: acknowledged events would be lost. The producer resends these.
 */
export function unacknowledged(messages: readonly Message[], answer: readonly RecordMetadata[]): Message[] {
  const acknowledged = new Set<number>();
  for (const record of answer) if (record.errorCode === 0) acknowledged.add(record.partition);
  return messages.filter((m) => m.partition === undefined || !acknowledged.has(m.partition));
}
