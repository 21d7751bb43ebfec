import { Partitioners, type ICustomPartitioner, type Message, type RecordMetadata } from "kafkajs";

/**
 * kafkajs's default partitioner (murmur2 of the key, as the Java client), which also writes the
 * partition it chose onto the message. The producer needs it to see which partitions a send must
 * have reached (unacknowledged below); a retry inside kafkajs then reuses the same partition.
 */
export const recordingPartitioner: ICustomPartitioner = () => {
  const choose = Partitioners.DefaultPartitioner();
  return (args) => {
    const partition = choose(args);
    args.message.partition = partition;
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
