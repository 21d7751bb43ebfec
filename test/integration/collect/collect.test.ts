/**
 * POST /api/collect against the running app (docs/collector.md): what a page may send, from where,
 * with which key; the server-made visitors and sessions; bots; and that neither the client's
 * address nor its user agent reaches Kafka.
 */
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSite } from "@/core/db/sites";
import { getRedis } from "@/core/redis";
import { startApp, type RunningApp } from "../../support/app";
import { closeCoreConnections, createIngestTestEnv, type IngestTestEnv } from "../../support/ingest-env";

const CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 PulseTest/1";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 PulseTest/2";
const ORIGIN = "https://shop.example";

let env: IngestTestEnv;
let app: RunningApp;
let siteId: string;
let pk: string;
let sk: string;

beforeAll(async () => {
  env = await createIngestTestEnv("collect");
  app = await startApp({ env: env.appEnv, name: "collect" });
  siteId = (await createSite({ name: "shop.example", hostnames: ["shop.example", "*.shop.example"] })).id;
  pk = (await env.newKey([], { siteId, kind: "publishable" })).secret;
  sk = (await env.newKey(["ingest"], { siteId })).secret;
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
  await closeCoreConnections();
});

interface Sent {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function send(
  events: unknown[],
  options: { key?: string; origin?: string | null; ua?: string; contentType?: string; raw?: string } = {},
): Promise<Sent> {
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? "text/plain;charset=UTF-8",
    "user-agent": options.ua ?? CHROME,
  };
  if (options.origin !== null) headers.origin = options.origin ?? ORIGIN;
  const res = await fetch(`${app.url}/api/collect`, {
    method: "POST",
    headers,
    body: options.raw ?? JSON.stringify({ key: options.key ?? pk, events }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const page = (path = "/", extra: Record<string, unknown> = {}) => ({
  event_type: "page_visited",
  event_id: randomUUID(),
  page_path: path,
  ...extra,
});

type Message = Record<string, unknown> & { raw: string };

/** The topic's messages (the test's own topic), read until `enough` says so or 15 s passed. */
async function topicMessages(enough: (messages: Message[]) => boolean): Promise<Message[]> {
  const kafka = new Kafka({ clientId: "collect-test", brokers: env.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `collect-test-${randomUUID()}` });
  const out: Message[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: env.topic, fromBeginning: true });
    let done!: () => void;
    const reached = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const raw = `${message.key?.toString() ?? ""} ${message.value?.toString() ?? ""}`;
        out.push({ ...(JSON.parse(message.value!.toString()) as Record<string, unknown>), raw });
        if (enough(out)) done();
      },
    });
    await Promise.race([reached, new Promise((r) => setTimeout(r, 15_000))]);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Until every one of these event ids is on the topic. */
const having =
  (...ids: string[]) =>
  (messages: Message[]) =>
    ids.every((id) => messages.some((m) => m.event_id === id));

describe("a page of the site", () => {
  it("202 for a page view: the server makes the visitor, the session and its session_created first", async () => {
    const sent = page("/pricing", { referrer: "https://search.example/" });
    const res = await send([sent]);
    expect(res.status).toBe(202);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const messages = await topicMessages(having(sent.event_id));
    const view = messages.find((m) => m.event_id === sent.event_id)!;
    expect(view).toMatchObject({ site_id: siteId, event_type: "page_visited", page_path: "/pricing" });
    // The referrer is kept as its host and channel only (docs/dimensions.md), never the full URL.
    expect(view.dims).toMatchObject({ referrer: "search.example", channel: "Referral" });
    expect(view).not.toHaveProperty("referrer");
    expect(view.user_id).toMatch(/^v_[A-Za-z0-9_-]{22}$/);
    expect(view.session_id).toMatch(/^c_/);
    const created = messages.filter((m) => m.event_type === "session_created" && m.session_id === view.session_id);
    expect(created).toHaveLength(1);
    expect(created[0]!.user_id).toBe(view.user_id);
  });

  it("the same browser again is the same user and session; another browser behind the same address is another user", async () => {
    const a1 = page("/a");
    const a2 = page("/b");
    const b1 = page("/a");
    expect((await send([a1])).status).toBe(202);
    expect((await send([a2])).status).toBe(202);
    expect((await send([b1], { ua: FIREFOX })).status).toBe(202);
    const messages = await topicMessages(having(a1.event_id, a2.event_id, b1.event_id));
    const byId = (id: string) => messages.find((m) => m.event_id === id)!;
    expect(byId(a1.event_id).user_id).toBe(byId(a2.event_id).user_id);
    expect(byId(a1.event_id).session_id).toBe(byId(a2.event_id).session_id);
    expect(byId(b1.event_id).user_id).not.toBe(byId(a1.event_id).user_id);
  });

  it("after 30 minutes without events the next one starts a new session of the same user", async () => {
    const before = page("/x");
    await send([before]);
    // What 30 idle minutes do: the visitor's session key expires in Redis.
    const keys = await getRedis().keys(`pulse:visit:${siteId}:*`);
    for (const k of keys) await getRedis().pexpire(k, 1);
    await new Promise((r) => setTimeout(r, 20));
    const after = page("/y");
    await send([after]);
    const messages = await topicMessages(having(before.event_id, after.event_id));
    const b = messages.find((m) => m.event_id === before.event_id)!;
    const a = messages.find((m) => m.event_id === after.event_id)!;
    expect(a.user_id).toBe(b.user_id);
    expect(a.session_id).not.toBe(b.session_id);
  });

  it("no client address or user agent in Kafka or in Redis keys", async () => {
    const messages = await topicMessages((all) => all.length >= 9);
    expect(messages.length).toBeGreaterThanOrEqual(9);
    for (const m of messages) {
      expect(m.raw).not.toContain("PulseTest");
      expect(m.raw).not.toContain("127.0.0.1");
    }
    // What the collector writes to Redis: visits, salts, bot counts and its rate limits.
    const keys = (
      await Promise.all(["pulse:visit:*", "pulse:salt:*", "pulse:bots:*", "pulse:rl:ingest*"].map((p) => getRedis().keys(p)))
    ).flat();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.includes("127.0.0.1") || k.includes("PulseTest"))).toEqual([]);
  });
});

describe("refused", () => {
  it("another origin, or none: 403 without CORS headers, so the browser reports a CORS error", async () => {
    for (const origin of ["https://evil.example", "https://shop.example.evil.example", "null", null]) {
      const res = await send([page()], { origin });
      expect(res.status, String(origin)).toBe(403);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect((await send([page()], { origin: "https://www.shop.example" })).status).toBe(202);
  });

  it("a secret key in a page: 403 (it must never be in a browser); an unknown key: 401", async () => {
    const secret = await send([page()], { key: sk });
    expect(secret.status).toBe(403);
    expect(String(secret.body.message)).toMatch(/secret key/);
    expect((await send([page()], { key: "pk_00000000_unknownunknownunknownunknownunknownunk" })).status).toBe(401);
  });

  it("fields the server makes, unknown fields and bad text: 400 naming them", async () => {
    for (const bad of [{ user_id: "me" }, { session_id: "s" }, { event_time: new Date().toISOString() }, { colour: "red" }]) {
      const res = await send([page("/", bad)]);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const nul = await send([page("/a\u0000b")]);
    expect(nul.status).toBe(400);
    expect(JSON.stringify(nul.body)).toContain("page_path");
  });

  it("wrong content type 415, bad JSON 400, over 64 KiB 413, and a preflight is answered", async () => {
    expect((await send([page()], { contentType: "application/x-www-form-urlencoded" })).status).toBe(415);
    expect((await send([], { raw: "{" })).status).toBe(400);
    expect((await send([], { raw: JSON.stringify({ key: pk, events: [page("/" + "a".repeat(70_000))] }) })).status).toBe(413);
    const pre = await fetch(`${app.url}/api/collect`, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  });

  it("a crawler gets 202 and is counted, not stored", async () => {
    const sent = page("/bot");
    const res = await send([sent], { ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "filtered" });
    // A page view sent after it is on the topic, so the bot's would be there by now too.
    const after = page("/after-bot");
    expect((await send([after])).status).toBe(202);
    const messages = await topicMessages(having(after.event_id));
    expect(messages.find((m) => m.event_id === sent.event_id)).toBeUndefined();
    const day = new Date().toISOString().slice(0, 10);
    expect(Number(await getRedis().get(`pulse:bots:${siteId}:${day}`))).toBeGreaterThanOrEqual(1);
  });
});
