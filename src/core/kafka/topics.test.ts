// Real Kafka (KAFKA_BROKERS, default localhost:9092): the record-batch limit of the platform's topics.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "../config";
import { createKafka } from "./client";
import { ensureTopics, largestRequestBatchBytes, MAX_MESSAGE_BYTES } from "./topics";

const created = `web_events_topics_test_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
const tooSmall = `${created}_small`;
const admin = createKafka({ clientSuffix: "test" }).admin();

afterAll(async () => {
  await admin.deleteTopics({ topics: [created, tooSmall] }).catch(() => undefined);
  await admin.disconnect();
});

describe("ensureTopics", () => {
  it("creates topics whose record batches hold the biggest request, and flags an existing topic that cannot", async () => {
    const needed = largestRequestBatchBytes(getConfig());
    // 1 MiB of body plus 500 events' stamped fields and framing: over the broker's ~1 MiB default.
    expect(needed).toBeGreaterThan(1_048_588);
    expect(needed).toBeLessThan(MAX_MESSAGE_BYTES);

    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: tooSmall, numPartitions: 1, configEntries: [{ name: "max.message.bytes", value: "1048588" }] }],
    });
    const first = await ensureTopics({ topics: [created, tooSmall], partitions: 1 });
    expect(first).toEqual({ created: [created], existing: [tooSmall], batchLimitTooSmall: [tooSmall] });

    const again = await ensureTopics({ topics: [created], partitions: 1 });
    expect(again).toEqual({ created: [], existing: [created], batchLimitTooSmall: [] });
  });
});
