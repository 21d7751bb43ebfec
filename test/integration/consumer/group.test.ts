// Several consumer processes in one group (real worker processes, real Kafka): each partition's
// lines go to that partition's own files (src/core/logs/paths.ts), so no two processes append to
// one file, and when one process is SIGKILLed mid-stream the others take over its partitions and
// every acknowledged event still reaches the logs.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { Partitioners } from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";
import type { StoredEvent } from "@/core/events";
import { messageKey, type EventProducer } from "@/core/kafka/producer";
import {
  connectEventProducer,
  createConsumerTestEnv,
  makeStoredEvent,
  readLogRecords,
  startConsumerProcess,
  stopConsumerProcess,
  waitFor,
  type ConsumerProcess,
  type ConsumerTestEnv,
} from "../../support/consumer-harness";

const PARTITIONS = 6;
const TOTAL = 6_000;
const PER_ROUND = 50;

/** The partition kafkajs's default partitioner (the web app's) puts an event on, by its message key. */
const partitioner = Partitioners.DefaultPartitioner();
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
  partitionErrorCode: 0,
  partitionId,
  leader: 0,
  replicas: [0],
  isr: [0],
}));
const partitionOf = (event: StoredEvent): number =>
  partitioner({ topic: "t", partitionMetadata, message: { key: messageKey(event), value: null } });

/** Every events file under logs/events, by the partition its name says (HH.p<N>.jsonl). */
async function eventFilesByPartition(logsDir: string): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else files.set(p, Number(/^\d{2}\.p(\d+)\.jsonl$/.exec(entry.name)?.[1] ?? Number.NaN));
    }
  };
  await walk(path.join(logsDir, "events"));
  return files;
}

describe.each([2, 3])("%i consumer processes in one group, one killed mid-stream", (count) => {
  let t: ConsumerTestEnv | undefined;
  let producer: EventProducer | undefined;
  let consumers: ConsumerProcess[] = [];

  afterEach(async () => {
    await Promise.all(consumers.map((c) => stopConsumerProcess(c)));
    await producer?.close();
    await t?.cleanup();
  });

  it("loses no acknowledged event, and each file holds one partition's events", async () => {
    t = await createConsumerTestEnv(`group${count}`, PARTITIONS);
    producer = await connectEventProducer(t);
    consumers = await Promise.all(Array.from({ length: count }, () => startConsumerProcess(t!.env)));

    const acked: StoredEvent[] = [];
    let producing = true;
    const stream = (async () => {
      for (let sent = 0; sent < TOTAL; sent += PER_ROUND) {
        const events = Array.from({ length: PER_ROUND }, () => makeStoredEvent());
        await Promise.all(events.map((e) => producer!.publish([e]).then(() => acked.push(e))));
        await new Promise((r) => setTimeout(r, 10));
      }
      producing = false;
    })();

    const logged = async () => (await readLogRecords<StoredEvent>(t!.logsDir, "events")).length;
    await waitFor(
      async () => (await logged()) >= 1_000,
      60_000,
      async () => `log has ${await logged()} lines`,
    );
    expect(producing, "the producer is still streaming when a consumer is killed").toBe(true);
    consumers[0]!.kill("SIGKILL");
    expect((await consumers[0]!.exited).signal).toBe("SIGKILL");
    await stream;
    expect(acked).toHaveLength(TOTAL);

    // The survivors get the dead member's partitions once its session times out (10 s).
    const missing = async () => {
      const ids = new Set((await readLogRecords<StoredEvent>(t!.logsDir, "events")).map((e) => e.event_id));
      return acked.filter((e) => !ids.has(e.event_id));
    };
    await waitFor(
      async () => (await missing()).length === 0,
      90_000,
      async () => `${(await missing()).length} acknowledged events not in the logs`,
    );

    // Copies of re-delivered messages are allowed (the ETL counts an event_id once); losses are not.
    const files = await eventFilesByPartition(t.logsDir);
    const partitionsSeen = new Set<number>();
    for (const [file, partition] of files) {
      expect(Number.isInteger(partition), `${file} is named by its partition`).toBe(true);
      partitionsSeen.add(partition);
      const events = (await readFile(file, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as StoredEvent);
      const elsewhere = events.filter((e) => partitionOf(e) !== partition).map((e) => e.session_id);
      expect(elsewhere, `events of other partitions in ${path.basename(file)}`).toEqual([]);
    }
    expect([...partitionsSeen].sort()).toEqual(Array.from({ length: PARTITIONS }, (_, i) => i));
  });
});
