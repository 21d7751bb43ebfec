/**
 * The live worker as it runs (docs/live.md): a real child process, real Kafka and Redis. It counts
 * each event once even when Kafka delivers it again: the worker is killed with SIGKILL mid-stream
 * and its group's offsets are reset to the start, so the restarted worker re-reads everything.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Producer } from "kafkajs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { StoredEvent } from "@/core/events";
import { liveKeys } from "@/core/live/keys";
import { readLiveFeed, readLiveSnapshot } from "@/core/live/reader";
import { connectProducer, createConsumerTestEnv, produceEvents, waitFor, type ConsumerTestEnv } from "../../support/consumer-harness";
import { startWorkerProcess, type WorkerProcess } from "../../support/worker";

const USERS = 30;
const siteA = randomUUID();
const siteB = randomUUID();
let t: ConsumerTestEnv;
let env: NodeJS.ProcessEnv;
let groupId: string;
let redis: Redis;
let producer: Producer;
let worker: WorkerProcess | undefined;

function startLiveWorker(): Promise<WorkerProcess> {
  const proc = startWorkerProcess("workers/live/main.ts", env, { label: "live" });
  return proc.waitForOutput('"msg":"live worker joined the group"', 60_000).then(() => proc);
}

const now = Date.now();
let seq = 0;
function event(siteId: string, user: number, overrides: Partial<StoredEvent>): StoredEvent {
  seq++;
  return {
    site_id: siteId,
    event_type: "page_visited",
    user_id: `visitor-${user}`,
    session_id: `session-${user}`,
    event_id: randomUUID(),
    // Each visitor's events a second apart, all within the last four minutes.
    event_time: new Date(now - 240_000 + user * 5_000 + seq).toISOString(),
    ...overrides,
  };
}

/** Per visitor: a page view from search or direct (its source and country), two more pages, a click, a custom event. */
function visitorEvents(user: number): StoredEvent[] {
  const dims = user % 2 === 0 ? { channel: "Organic Search", referrer: "google.com", country: "DE" } : { channel: "Direct", country: "FR" };
  return [
    event(siteA, user, { page_path: "/", dims }),
    event(siteA, user, { page_path: "/pricing", dims: { channel: "Direct", country: "US" } }),
    event(siteA, user, { event_type: "button_clicked", button_id: "signup", page_path: "/pricing" }),
    event(siteA, user, { page_path: user % 3 === 0 ? "/docs" : "/signup" }),
    event(siteA, user, { event_type: "newsletter.subscribed" }),
  ];
}

const live = Array.from({ length: USERS }, (_, u) => visitorEvents(u)).flat();
// Another site, with visitor ids that site A has too: nothing of it shows in A's view.
const otherSite = [event(siteB, 0, { page_path: "/elsewhere" }), event(siteB, 1, { page_path: "/elsewhere" })];
// Older than the live window: a backfill, never current traffic.
const stale = [event(siteA, 77, { page_path: "/old", event_time: new Date(now - 2 * 3600_000).toISOString() })];
// The same event sent twice (a client resend): counted once.
const resent = [live[0]!];

async function pageViewsTotal(siteId: string): Promise<number> {
  return (await readLiveSnapshot(redis, siteId)).pageViews.reduce((sum, m) => sum + m.pageViews, 0);
}

beforeAll(async () => {
  t = await createConsumerTestEnv("live");
  groupId = `pulse-live-test-${randomUUID().slice(0, 8)}`;
  env = { ...t.env, PULSE_LIVE_CONSUMER_GROUP: groupId };
  redis = new Redis(env.REDIS_URL ?? "redis://127.0.0.1:6379/15");
  producer = await connectProducer(t.kafka);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await producer?.disconnect();
  for (const site of [siteA, siteB]) {
    const keys = await redis.keys(`live:{${site}}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
  await t?.cleanup();
});

it("counts every current event once through a crash and a full replay; another site's and stale events stay out", async () => {
  worker = await startLiveWorker();
  const half = live.length / 2;
  await produceEvents(producer, t.topic, [...live.slice(0, half), ...otherSite, ...stale]);
  const pageViewsOf = (events: StoredEvent[]) => events.filter((e) => e.event_type === "page_visited").length;
  await waitFor(
    async () => (await pageViewsTotal(siteA)) === pageViewsOf(live.slice(0, half)),
    20_000,
    async () => `page views ${await pageViewsTotal(siteA)}`,
  );

  // Crash, then make Kafka hand everything over again: the group must be empty to move its offsets.
  worker.kill("SIGKILL");
  await worker.exited;
  const admin = t.kafka.admin();
  await admin.connect();
  await waitFor(
    async () => (await admin.describeGroups([groupId])).groups[0]!.members.length === 0,
    30_000,
    () => "group still has members",
  );
  // Numeric offsets (resetOffsets' "earliest" would leave the choice to the consumer, which starts new groups at the end).
  const low = await admin.fetchTopicOffsets(t.topic);
  await admin.setOffsets({ groupId, topic: t.topic, partitions: low.map((p) => ({ partition: p.partition, offset: p.low })) });
  await admin.disconnect();
  await produceEvents(producer, t.topic, [...live.slice(half), ...resent]);
  worker = await startLiveWorker();

  const expectedPageViews = pageViewsOf(live);
  await waitFor(
    async () => (await readLiveFeed(redis, siteA, 1000)).length >= live.length,
    30_000,
    async () => `feed ${(await readLiveFeed(redis, siteA, 1000)).length}`,
  );
  // Whatever was to be re-applied has been by now: the offsets in Redis are at the end of every partition.
  await new Promise((r) => setTimeout(r, 1_500));

  const snapshot = await readLiveSnapshot(redis, siteA);
  expect(snapshot.visitors).toBe(USERS);
  expect(snapshot.pageViews.reduce((sum, m) => sum + m.pageViews, 0)).toBe(expectedPageViews);
  expect(snapshot.pageViews).toHaveLength(30);
  // Sources and countries from each visitor's first event; the page from their latest page view.
  expect(snapshot.sources).toEqual([
    { value: "Direct", visitors: USERS / 2 },
    { value: "google.com", visitors: USERS / 2 },
  ]);
  expect(snapshot.countries).toEqual([
    { value: "DE", visitors: USERS / 2 },
    { value: "FR", visitors: USERS / 2 },
  ]);
  expect(snapshot.pages).toEqual([
    { value: "/signup", visitors: USERS - USERS / 3 },
    { value: "/docs", visitors: USERS / 3 },
  ]);

  const feed = await readLiveFeed(redis, siteA, 1000);
  expect(feed.map((item) => item.entry.event_id).sort()).toEqual(live.map((e) => e.event_id).sort());
  const first = feed.find((item) => item.entry.event_id === live[0]!.event_id)!.entry;
  expect(first).toEqual({
    event_id: live[0]!.event_id,
    event_type: "page_visited",
    event_time: live[0]!.event_time,
    page: "/",
    source: "google.com",
    country: "DE",
  });
  expect((await readLiveFeed(redis, siteB, 1000)).map((item) => item.entry.page)).toEqual(["/elsewhere", "/elsewhere"]);
  expect(await redis.exists(liveKeys.visitors(siteB))).toBe(1);
  expect((await readLiveSnapshot(redis, siteB)).visitors).toBe(2);
}, 150_000);
