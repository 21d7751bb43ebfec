import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { appendFile, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "@/core/events";
import type { EventProducer } from "@/core/kafka/producer";
import { eventLogPath } from "@/core/logs/paths";
import {
  connectEventProducer,
  createConsumerTestEnv,
  makeStoredEvent,
  readLogLines,
  startConsumerProcess,
  stopConsumerProcess,
  waitFor,
  type ConsumerProcess,
  type ConsumerTestEnv,
} from "../../support/consumer-harness";

const TOTAL = 10_000;
const PER_ROUND = 50;

describe("consumer worker: SIGKILL in the middle of a stream", () => {
  let t: ConsumerTestEnv;
  let producer: EventProducer;
  let consumer: ConsumerProcess | undefined;

  beforeAll(async () => {
    t = await createConsumerTestEnv("crash");
    producer = await connectEventProducer(t);
  });

  afterAll(async () => {
    await stopConsumerProcess(consumer);
    await producer?.close();
    await t?.cleanup();
  });

  it("loses no acknowledged event (duplicates allowed) and repairs a torn last line", async () => {
    consumer = await startConsumerProcess(t.env);
    const acked: StoredEvent[] = [];
    const eventTime = new Date().toISOString();
    let producing = true;
    // The stream: 10,000 events as rounds of 50 concurrent single-event publishes (like 50
    // concurrent HTTP requests to the web app), paced so it lasts a few seconds.
    const stream = (async () => {
      for (let sent = 0; sent < TOTAL; sent += PER_ROUND) {
        const events = Array.from({ length: PER_ROUND }, () => makeStoredEvent({ event_time: eventTime }));
        await Promise.all(events.map((e) => producer.publish([e]).then(() => acked.push(e)))); // acked = the broker's ack
        await new Promise((r) => setTimeout(r, 10));
      }
      producing = false;
    })();

    // Kill once the log has some but not all of the stream, while the producer is still going.
    await waitFor(
      async () => (await readLogLines(t.logsDir, "events")).length >= 1_000,
      60_000,
      async () => `log has ${(await readLogLines(t.logsDir, "events")).length} lines`,
    );
    const linesAtKill = (await readLogLines(t.logsDir, "events")).length;
    expect(producing, "the producer is still streaming when the consumer is killed").toBe(true);
    consumer.kill("SIGKILL");
    const { signal } = await consumer.exited;
    expect(signal).toBe("SIGKILL");
    expect(linesAtKill).toBeLessThan(TOTAL);

    // Simulate a write torn by the kill: a partial line at the end of a file being appended to
    // (one per partition, src/core/logs/paths.ts).
    const hourDir = path.dirname(eventLogPath(t.logsDir, DEFAULT_SITE_ID, eventTime));
    const file = path.join(hourDir, (await readdir(hourDir)).sort()[0]!);
    await appendFile(file, '{"event_type":"page_visited","user_id":"torn","sess');

    await stream;
    expect(acked).toHaveLength(TOTAL);
    consumer = await startConsumerProcess(t.env);

    const ackedIds = new Set(acked.map((e) => e.event_id));
    const loggedIds = async () => new Set((await readLogLines(t.logsDir, "events")).map((l) => (JSON.parse(l) as StoredEvent).event_id));
    await waitFor(
      async () => {
        const logged = await loggedIds();
        return [...ackedIds].every((id) => logged.has(id));
      },
      60_000,
      async () => {
        const logged = await loggedIds();
        return `${[...ackedIds].filter((id) => !logged.has(id)).length} of ${TOTAL} acknowledged events missing from the log`;
      },
    );

    // Every line in the torn file is a whole event (the torn tail was cut before appending).
    const text = await readFile(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n");
    for (const line of lines) expect(() => JSON.parse(line), line.slice(0, 80)).not.toThrow();
    expect(text).not.toContain('"user_id":"torn"');
    expect(consumer.output.some((l) => l.includes("cut a partial last line"))).toBe(true);
    // Re-delivery after the crash may duplicate, never lose.
    const all = (await readLogLines(t.logsDir, "events")).length;
    expect(all).toBeGreaterThanOrEqual(TOTAL);
    console.info(`killed at ${linesAtKill}/${TOTAL} lines; after restart ${all} lines (${all - TOTAL} duplicates)`);
  });
});
