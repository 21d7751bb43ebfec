import type { Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "@/core/events";
import type { DeadLetterLogRecord } from "../../../workers/consumer/deadLetter";
import {
  connectProducer,
  createConsumerTestEnv,
  makeStoredEvent,
  produceEvents,
  readLogRecords,
  startConsumerProcess,
  stopConsumerProcess,
  waitFor,
  type ConsumerProcess,
  type ConsumerTestEnv,
} from "../../support/consumer-harness";

interface DlqMessage {
  value: string;
  key: string | null;
  headers: Record<string, string>;
}

describe("consumer worker: poison messages", () => {
  let t: ConsumerTestEnv;
  let producer: Producer;
  let consumer: ConsumerProcess | undefined;

  beforeAll(async () => {
    // One partition, so the poison messages and the valid event after them are in order.
    t = await createConsumerTestEnv("poison", 1);
    producer = await connectProducer(t.kafka);
    consumer = await startConsumerProcess(t.env);
  });

  afterAll(async () => {
    await stopConsumerProcess(consumer);
    await producer?.disconnect();
    await t?.cleanup();
  });

  it("sends them to the dead-letter log and the DLQ topic and keeps writing valid events", async () => {
    const notUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const missingFields = makeStoredEvent() as Partial<StoredEvent>;
    delete missingFields.user_id;
    const poison: Array<{ key: string; value: Buffer | string }> = [
      { key: "p1", value: "not json" },
      { key: "p2", value: JSON.stringify({ event_type: 5 }) },
      { key: "p3", value: "[1,2,3]" },
      { key: "p4", value: notUtf8 },
      { key: "p5", value: JSON.stringify(missingFields) },
    ];
    await producer.send({ topic: t.topic, acks: -1, messages: poison.map((p) => ({ ...p, headers: { origin: "test" } })) });
    const valid = makeStoredEvent({ event_type: "page_visited", page_path: "/after-poison" });
    await produceEvents(producer, t.topic, [valid]);

    await waitFor(
      async () => (await readLogRecords<StoredEvent>(t.logsDir, "events")).some((e) => e.event_id === valid.event_id),
      30_000,
      () => "the valid event after the poison messages is not in the events log",
    );
    const events = await readLogRecords<StoredEvent>(t.logsDir, "events");
    expect(events).toEqual([JSON.parse(JSON.stringify(valid))]);

    const dead = await readLogRecords<DeadLetterLogRecord>(t.logsDir, "dead-letter");
    expect(dead).toHaveLength(poison.length);
    const byKey = new Map(dead.map((d) => [d.key, d]));
    expect(byKey.get("p1")).toMatchObject({ topic: t.topic, partition: 0, value: "not json", value_encoding: "utf8" });
    expect(byKey.get("p1")!.error).toMatch(/not JSON/);
    expect(byKey.get("p2")).toMatchObject({ value: '{"event_type":5}', value_encoding: "utf8" });
    expect(byKey.get("p2")!.error).toMatch(/event_type/);
    expect(byKey.get("p3")!.error).toMatch(/not an object/);
    expect(byKey.get("p4")).toMatchObject({ value: notUtf8.toString("base64"), value_encoding: "base64" });
    expect(byKey.get("p4")!.error).toMatch(/UTF-8/);
    expect(byKey.get("p5")!.error).toMatch(/user_id/);
    for (const d of dead) {
      expect(Number.isNaN(Date.parse(d.received_at))).toBe(false);
      expect(d.offset).toMatch(/^\d+$/);
    }

    // The same messages are on the DLQ topic, with the original value and where they came from.
    const dlq = await readDlq(t, poison.length);
    expect(dlq.map((m) => m.key).sort()).toEqual(["p1", "p2", "p3", "p4", "p5"]);
    const p1 = dlq.find((m) => m.key === "p1")!;
    expect(p1.value).toBe("not json");
    expect(p1.headers).toMatchObject({
      origin: "test",
      "dlq-source-topic": t.topic,
      "dlq-source-partition": "0",
      "dlq-source-offset": byKey.get("p1")!.offset,
    });
    expect(p1.headers["dlq-error"]).toMatch(/not JSON/);

    // Still running, and its offsets moved past the poison messages.
    expect(consumer!.child.exitCode).toBeNull();
    const admin = t.kafka.admin();
    await admin.connect();
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId: t.groupId, topics: [t.topic] });
        return committed!.partitions[0]!.offset === String(poison.length + 1);
      },
      10_000,
      () => "offsets not committed past the poison messages",
    );
    await admin.disconnect();
  });
});

async function readDlq(t: ConsumerTestEnv, count: number): Promise<DlqMessage[]> {
  const reader = t.kafka.consumer({ groupId: `${t.groupId}-dlq-reader` });
  const out: DlqMessage[] = [];
  await reader.connect();
  await reader.subscribe({ topics: [t.dlqTopic], fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await reader.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? "", headers });
      if (out.length >= count) done();
    },
  });
  const timeout = setTimeout(done, 20_000);
  await finished;
  clearTimeout(timeout);
  await reader.disconnect();
  const admin = t.kafka.admin();
  await admin.connect();
  await admin.deleteGroups([`${t.groupId}-dlq-reader`]).catch(() => undefined);
  await admin.disconnect();
  return out;
}
