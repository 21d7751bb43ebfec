import type { IHeaders, Message, Producer } from "kafkajs";

/** The parts of a consumed Kafka message the consumer uses. */
export interface SourceMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/** One line of the dead-letter log (logs.dir/dead-letter/YYYY-MM-DD.jsonl). */
export interface DeadLetterLogRecord {
  received_at: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  error: string;
  /** The original value: UTF-8 text, or base64 when it is not valid UTF-8 (value_encoding says which). */
  value: string | null;
  value_encoding: "utf8" | "base64";
}

export interface DeadLetter {
  record: DeadLetterLogRecord;
  /** The message for the DLQ topic: original key, value and headers, plus where it came from and why. */
  dlqMessage: Message;
}

/** Header names added to messages on the DLQ topic. */
export const DLQ_HEADERS = {
  error: "dlq-error",
  topic: "dlq-source-topic",
  partition: "dlq-source-partition",
  offset: "dlq-source-offset",
  receivedAt: "dlq-received-at",
} as const;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function textOrBase64(buf: Buffer | null): { text: string | null; encoding: "utf8" | "base64" } {
  if (buf === null) return { text: null, encoding: "utf8" };
  try {
    return { text: utf8.decode(buf), encoding: "utf8" };
  } catch {
    return { text: buf.toString("base64"), encoding: "base64" };
  }
}

export function deadLetterRecord(topic: string, partition: number, message: SourceMessage, error: string, now: Date): DeadLetter {
  const value = textOrBase64(message.value);
  const key = message.key === null ? null : textOrBase64(message.key);
  const receivedAt = now.toISOString();
  return {
    record: {
      received_at: receivedAt,
      topic,
      partition,
      offset: message.offset,
      key: key === null ? null : key.encoding === "utf8" ? key.text : `base64:${key.text}`,
      error,
      value: value.text,
      value_encoding: value.encoding,
    },
    dlqMessage: {
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        [DLQ_HEADERS.error]: error,
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.partition]: String(partition),
        [DLQ_HEADERS.offset]: message.offset,
        [DLQ_HEADERS.receivedAt]: receivedAt,
      },
    },
  };
}

/** Produces poison messages to the DLQ topic and waits for the broker's ack (acks = all). */
export async function sendToDlq(producer: Producer, dlqTopic: string, deadLetters: readonly DeadLetter[]): Promise<void> {
  if (deadLetters.length === 0) return;
  await producer.send({ topic: dlqTopic, acks: -1, messages: deadLetters.map((d) => d.dlqMessage) });
}
