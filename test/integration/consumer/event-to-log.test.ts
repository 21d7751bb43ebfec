import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "@/core/events";
import type { EventProducer } from "@/core/kafka/producer";
import { eventLogPath, sessionLogPath } from "@/core/logs/paths";
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

describe("consumer worker: an event on Kafka becomes a JSON line", () => {
  let t: ConsumerTestEnv;
  let consumer: ConsumerProcess | undefined;
  let producer: EventProducer;

  beforeAll(async () => {
    t = await createConsumerTestEnv("flow");
    producer = await connectEventProducer(t);
    consumer = await startConsumerProcess(t.env);
  });

  afterAll(async () => {
    await stopConsumerProcess(consumer);
    await producer?.close();
    await t?.cleanup();
  });

  it("writes each event to the hourly events log with its event_id and event_time, sessions also to the sessions log", async () => {
    const sessionId = `sess_flow_${Date.now()}`;
    const created = makeStoredEvent({ event_type: "session_created", session_id: sessionId, user_id: "u_flow", page_path: undefined });
    const visit = makeStoredEvent({
      event_type: "page_visited",
      session_id: sessionId,
      user_id: "u_flow",
      page_path: "/pricing",
      props: { ref: "ad" },
    });
    // A backfilled event lands in the file of the hour it belongs to, not the current hour.
    const backfilled = makeStoredEvent({
      event_type: "session_ended",
      session_id: sessionId,
      user_id: "u_flow",
      event_time: "2026-01-02T03:04:05.678Z",
    });
    await producer.publish([created, visit, backfilled]);

    await waitFor(
      async () => (await readLogRecords(t.logsDir, "events")).length >= 3,
      30_000,
      async () => `events log has ${(await readLogRecords(t.logsDir, "events")).length} lines`,
    );
    const events = await readLogRecords<StoredEvent>(t.logsDir, "events");
    expect(events).toHaveLength(3);
    for (const sent of [created, visit, backfilled]) {
      const line = events.find((e) => e.event_id === sent.event_id);
      expect(line, `event ${sent.event_type} in the events log`).toEqual(JSON.parse(JSON.stringify(sent)));
      expect(line!.event_time).toBe(sent.event_time);
    }

    // File layout: events/<site>/YYYY-MM-DD/HH.p<N>.jsonl by the event's site, UTC hour and Kafka
    // partition; one session's events share a partition (the message key is the session_id).
    const partition = await onlyPartitionOf(eventLogPath(t.logsDir, backfilled.site_id, backfilled.event_time));
    const backfillFile = await readFile(eventLogPath(t.logsDir, backfilled.site_id, backfilled.event_time, partition), "utf8");
    expect(backfillFile).toBe(`${JSON.stringify(backfilled)}\n`);
    // Key order as received: the line is the producer's JSON, byte for byte.
    const visitFile = await readFile(eventLogPath(t.logsDir, visit.site_id, visit.event_time, partition), "utf8");
    expect(visitFile.split("\n")).toContain(JSON.stringify(visit));

    const sessions = await readLogRecords<StoredEvent>(t.logsDir, "sessions");
    expect(sessions.map((e) => e.event_id).sort()).toEqual([created.event_id, backfilled.event_id].sort());
    expect(await readFile(sessionLogPath(t.logsDir, backfilled.site_id, backfilled.event_time, partition), "utf8")).toBe(
      `${JSON.stringify(backfilled)}\n`,
    );
  });

  it("stops gracefully on SIGTERM with exit code 0 after committing what it wrote", async () => {
    const more = Array.from({ length: 200 }, () => makeStoredEvent());
    await producer.publish(more);
    await waitFor(
      async () => (await readLogRecords(t.logsDir, "events")).length >= 203,
      30_000,
      async () => `events log has ${(await readLogRecords(t.logsDir, "events")).length} lines`,
    );
    consumer!.kill("SIGTERM");
    const { code } = await consumer!.exited;
    expect(code).toBe(0);
    expect(consumer!.output.some((l) => l.includes('"msg":"shutdown complete"'))).toBe(true);

    // Everything was committed: a restarted worker writes nothing again.
    const admin = t.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: t.groupId, topics: [t.topic] });
    const latest = await admin.fetchTopicOffsets(t.topic);
    await admin.disconnect();
    for (const p of latest) {
      const c = committed!.partitions.find((x) => x.partition === p.partition);
      expect(c?.offset, `partition ${p.partition} committed`).toBe(p.high);
    }
    consumer = await startConsumerProcess(t.env);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await readLogRecords(t.logsDir, "events")).toHaveLength(203);
  });
});

/** The partition of the one file in the folder of `unsplitPath`'s hour (HH.p<N>.jsonl). */
async function onlyPartitionOf(unsplitPath: string): Promise<number> {
  const names = await readdir(path.dirname(unsplitPath));
  const hour = path.basename(unsplitPath, ".jsonl");
  expect(names).toHaveLength(1);
  expect(names[0]).toMatch(new RegExp(`^${hour}\\.p\\d+\\.jsonl$`));
  return Number(/\.p(\d+)\./.exec(names[0]!)![1]);
}
