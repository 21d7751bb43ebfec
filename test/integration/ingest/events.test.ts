// POST /api/events against the running app (next start) with real
// PostgreSQL, Redis and Kafka. Every status code of docs/api.md except 429 (rate-limit.test.ts) and
// 503 (kafka-outage.test.ts). GET /api/health: test/integration/api/health.test.ts.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/core/db/client";
import { createSite } from "@/core/db/sites";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { startApp, type RunningApp } from "../../support/app";
import {
  closeCoreConnections,
  createIngestTestEnv,
  event,
  postEvents,
  readEventsFromTopic,
  waitFor,
  type IngestTestEnv,
} from "../../support/ingest-env";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let env: IngestTestEnv;
let app: RunningApp;
let key: string;
let keyId: string;

beforeAll(async () => {
  env = await createIngestTestEnv("events");
  app = await startApp({ env: env.appEnv, name: "ingest-events" });
  ({ secret: key, id: keyId } = await env.newKey(["ingest"]));
});

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
  await closeCoreConnections();
});

describe("POST /api/events: accepted", () => {
  it("202 for a single event, which is then on the topic keyed by site:session with the key's site, event_id and event_time", async () => {
    const sent = event({ props: { plan: "pro" } });
    const before = Date.now();
    const res = await postEvents(app.url, sent, { key });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      status: "queued",
      event_id: expect.stringMatching(UUID),
      message: `Event successfully queued to ${env.topic}`,
    });
    const id = res.body.event_id as string;
    const found = await readEventsFromTopic(env.brokers, env.topic, [id]);
    const message = found.get(id);
    expect(message?.key).toBe(`${DEFAULT_SITE_ID}:${sent.session_id}`);
    expect(message?.value).toEqual({ ...sent, site_id: DEFAULT_SITE_ID, event_id: id, event_time: expect.any(String) });
    const time = Date.parse(message!.value.event_time as string);
    expect(time).toBeGreaterThanOrEqual(before - 1_000);
    expect(time).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(message?.value.event_time).toMatch(/Z$/);
  });

  it("an event sent with another site's key belongs to that site, whatever the body says", async () => {
    const shop = await createSite({ name: "shop.example", hostnames: ["shop.example"] });
    const { secret } = await env.newKey(["ingest"], { siteId: shop.id });
    const sent = event({ site_id: DEFAULT_SITE_ID });
    const res = await postEvents(app.url, sent, { key: secret });
    // site_id is not a field a client may send: the site comes from the key alone.
    expect(res.status).toBe(400);
    const { site_id: _, ...clean } = sent;
    const ok = await postEvents(app.url, clean, { key: secret });
    expect(ok.status).toBe(202);
    const id = ok.body.event_id as string;
    const message = (await readEventsFromTopic(env.brokers, env.topic, [id])).get(id);
    expect(message?.key).toBe(`${shop.id}:${clean.session_id}`);
    expect(message?.value.site_id).toBe(shop.id);
  });

  it("keeps a client-chosen event_id and event_time (backfill) and accepts the X-API-Key header", async () => {
    const eventId = randomUUID();
    // Three days ago, in a +01:00 zone: within ingest.max_past_days, so a plain ingest key may send it.
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const sent = event({ event_id: eventId, event_time: `${day}T09:30:00.000+01:00` });
    const res = await postEvents(app.url, sent, { key, via: "x-api-key" });
    expect(res.status).toBe(202);
    expect(res.body.event_id).toBe(eventId);
    const found = await readEventsFromTopic(env.brokers, env.topic, [eventId]);
    expect(found.get(eventId)?.value).toMatchObject({ event_id: eventId, event_time: `${day}T08:30:00.000Z` });
  });

  it("202 for a batch, with one id per event in order, all on the topic", async () => {
    const session = `sess_${randomUUID()}`;
    const batch = [
      event({ event_type: "session_created", session_id: session }),
      event({ event_type: "page_visited", session_id: session, page_path: "/pricing" }),
      event({ event_type: "button_clicked", session_id: session, page_path: "/pricing", button_id: "signup" }),
    ];
    const res = await postEvents(app.url, { events: batch }, { key });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: "queued", accepted: 3, event_ids: [expect.any(String), expect.any(String), expect.any(String)] });
    const ids = res.body.event_ids as string[];
    const found = await readEventsFromTopic(env.brokers, env.topic, ids);
    expect(ids.map((id) => found.get(id)?.value.event_type)).toEqual(["session_created", "page_visited", "button_clicked"]);
    // Same session, same key, same partition: its events stay in order for the consumer.
    expect(new Set(ids.map((id) => found.get(id)?.partition)).size).toBe(1);
  });

  it("accepts a full batch of 500", async () => {
    const res = await postEvents(app.url, { events: Array.from({ length: 500 }, () => event()) }, { key });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(500);
  });

  it("answers many concurrent requests, each with its own acknowledged event", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => postEvents(app.url, event(), { key })));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(202));
    const ids = results.map((r) => r.body.event_id as string);
    const found = await readEventsFromTopic(env.brokers, env.topic, ids);
    expect(found.size).toBe(40);
  });

  it("answers a CORS preflight so browsers on other origins can send events", async () => {
    const res = await fetch(`${app.url}/api/events`, {
      method: "OPTIONS",
      headers: {
        origin: "https://example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });
});

describe("POST /api/events: rejected", () => {
  it("400 invalid_event naming a missing field", async () => {
    const { user_id: _, ...body } = event();
    const res = await postEvents(app.url, body, { key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "invalid_event", issues: [{ path: "user_id", message: "user_id is required" }] });
  });

  it("400 invalid_event for a wrong type", async () => {
    const res = await postEvents(app.url, event({ session_id: 12345 }), { key });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_event");
    expect(res.body.issues).toEqual([{ path: "session_id", message: expect.stringContaining("expected string") }]);
  });

  it("400 invalid_event for an unknown field, naming it and pointing to props", async () => {
    const res = await postEvents(app.url, event({ pagePath: "/typo" }), { key });
    expect(res.status).toBe(400);
    const issues = res.body.issues as Array<{ path: string; message: string }>;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("pagePath");
    expect(issues[0]?.message).toContain('"pagePath"');
    expect(issues[0]?.message).toContain("props");
  });

  it("400 invalid_event for button_clicked without button_id and for event_time too far ahead", async () => {
    const click = await postEvents(app.url, event({ event_type: "button_clicked" }), { key });
    expect(click.status).toBe(400);
    expect(click.body.issues).toEqual([{ path: "button_id", message: expect.any(String) }]);
    const future = await postEvents(app.url, event({ event_time: new Date(Date.now() + 3_600_000).toISOString() }), { key });
    expect(future.status).toBe(400);
    expect((future.body.issues as Array<{ path: string }>)[0]?.path).toBe("event_time");
  });

  it("400 for a batch of 501 and a batch with one bad event (nothing accepted)", async () => {
    const tooMany = await postEvents(app.url, { events: Array.from({ length: 501 }, () => event()) }, { key });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({ error: "invalid_event", issues: [{ path: "events", message: expect.stringContaining("501") }] });
    const oneBad = await postEvents(app.url, { events: [event(), event({ user_id: "" })] }, { key });
    expect(oneBad.status).toBe(400);
    expect((oneBad.body.issues as Array<{ path: string }>)[0]?.path).toBe("events[1].user_id");
  });

  it("400 for malformed JSON", async () => {
    const res = await postEvents(app.url, null, { key, raw: '{"event_type": "page_visited", ' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_json");
  });

  it("415 for a body that is not declared as JSON", async () => {
    const form = await postEvents(app.url, null, { key, contentType: "application/x-www-form-urlencoded", raw: "event_type=x" });
    expect(form.status).toBe(415);
    expect(form.body.error).toBe("unsupported_media_type");
    const none = await postEvents(app.url, event(), { key, contentType: null, raw: JSON.stringify(event()) });
    expect(none.status).toBe(415);
    const withCharset = await postEvents(app.url, event(), { key, contentType: "application/json; charset=utf-8" });
    expect(withCharset.status).toBe(202);
  });

  it("413 for a body over 1 MiB, with or without Content-Length", async () => {
    const big = JSON.stringify({ events: Array.from({ length: 400 }, () => event({ props: { pad: "x".repeat(2_800) } })) });
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const declared = await postEvents(app.url, null, { key, raw: big });
    expect(declared.status).toBe(413);
    expect(declared.body.error).toBe("payload_too_large");

    // Chunked upload with no Content-Length: refused once it passes the limit.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const chunked = await postEvents(app.url, null, { key, raw: stream });
    expect(chunked.status).toBe(413);
  });

  it("401 without a key, with an unknown key and with a malformed one", async () => {
    const none = await postEvents(app.url, event(), { key: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe("unauthorized");
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const unknown = await postEvents(app.url, event(), { key: `pk_00000000_${"A".repeat(43)}` });
    expect(unknown.status).toBe(401);
    const malformed = await postEvents(app.url, event(), { key: "hello" });
    expect(malformed.status).toBe(401);
  });

  it("401 for a revoked key, from the next request on, even right after it was used", async () => {
    const { id, secret } = await env.newKey(["ingest"]);
    expect((await postEvents(app.url, event(), { key: secret })).status).toBe(202);
    await env.revoke(id);
    const res = await postEvents(app.url, event(), { key: secret });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/revoked/);
  });

  it("403 for a key without the ingest scope", async () => {
    const { secret } = await env.newKey(["read"]);
    const res = await postEvents(app.url, event(), { key: secret });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("forbidden");
  });

  it("403 for a publishable key: it is for the browser collector only", async () => {
    const { secret } = await env.newKey([], { kind: "publishable" });
    expect(secret).toMatch(/^pk_/);
    const res = await postEvents(app.url, event(), { key: secret });
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/publishable/i);
  });

  it("checks the key before anything else: no key and a bad body is 401, read-only key and a bad body is 403", async () => {
    expect((await postEvents(app.url, null, { key: null, raw: "{", contentType: "text/plain" })).status).toBe(401);
    const { secret } = await env.newKey(["read"]);
    expect((await postEvents(app.url, null, { key: secret, raw: "{", contentType: "text/plain" })).status).toBe(403);
  });

  it("records when a key was last used", async () => {
    const row = await waitFor(
      () => getPrisma().apiKey.findUniqueOrThrow({ where: { id: keyId } }),
      (r) => r.lastUsedAt !== null,
      5_000,
    );
    expect(Date.now() - row.lastUsedAt!.getTime()).toBeLessThan(120_000);
  });
});
