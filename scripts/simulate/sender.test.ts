import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ClientEvent } from "@/core/events";
import { EventSender, parseRetryAfter } from "./sender";

interface Seen {
  auth: string | undefined;
  body: unknown;
}

/** A real HTTP server answering from a script of [status, headers, body] per request. */
async function serve(script: Array<[number, Record<string, string>?, unknown?]>): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      seen.push({ auth: req.headers.authorization, body: JSON.parse(raw) });
      const [status, headers = {}, body = {}] = script[Math.min(seen.length - 1, script.length - 1)]!;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const event = (n: number): ClientEvent => ({
  event_type: "page_visited",
  user_id: "u",
  session_id: "s",
  page_path: `/p${n}`,
  event_id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  event_time: "2026-11-28T14:00:00.000Z",
});

describe("EventSender", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it("sends one event as a single body and several as a batch, with the key as a Bearer token", async () => {
    const s = await serve([[202, {}, { status: "queued" }]]);
    server = s.server;
    const sender = new EventSender({ url: s.url, apiKey: "pk_test", maxRetries: 0, timeoutMs: 5000 });
    await sender.send([event(1)]);
    await sender.send([event(2), event(3)]);
    expect(s.seen[0]).toEqual({ auth: "Bearer pk_test", body: event(1) });
    expect(s.seen[1]!.body).toEqual({ events: [event(2), event(3)] });
    expect(sender.stats).toMatchObject({ requests: 2, accepted: 3, rejected: {}, retries: 0 });
  });

  it("waits for Retry-After on 429 and 503 and resends the same events (same event_ids)", async () => {
    const s = await serve([[429, { "retry-after": "2" }], [503, { "retry-after": "1" }], [202]]);
    server = s.server;
    const waits: number[] = [];
    const sender = new EventSender({ url: s.url, apiKey: "k", maxRetries: 5, timeoutMs: 5000, sleep: async (ms) => void waits.push(ms) });
    await sender.send([event(1), event(2)]);
    expect(waits).toEqual([2000, 1000]);
    expect(s.seen.map((x) => x.body)).toEqual(Array(3).fill({ events: [event(1), event(2)] }));
    expect(sender.stats).toMatchObject({ requests: 3, accepted: 2, retries: 2, rejected: {} });
  });

  it("gives up after max_retries and counts the events as rejected by status", async () => {
    const s = await serve([[503, {}, { error: "kafka_unavailable" }]]);
    server = s.server;
    const sender = new EventSender({ url: s.url, apiKey: "k", maxRetries: 2, timeoutMs: 5000, sleep: async () => undefined });
    await sender.send([event(1)]);
    expect(sender.stats).toMatchObject({ requests: 3, accepted: 0, retries: 2, rejected: { "503": 1 } });
  });

  it("does not retry a 400 and keeps the error body for the summary", async () => {
    const s = await serve([[400, {}, { error: "invalid_event", issues: [{ path: "user_id", message: "Required" }] }]]);
    server = s.server;
    const sender = new EventSender({ url: s.url, apiKey: "k", maxRetries: 5, timeoutMs: 5000 });
    await sender.send([event(1), event(2)]);
    expect(sender.stats).toMatchObject({ requests: 1, retries: 0, rejected: { "400": 2 } });
    expect(sender.stats.errorSamples[0]).toContain("invalid_event");
  });

  it("retries network errors and reports them as 'network'", async () => {
    const sender = new EventSender({
      url: "http://127.0.0.1:1",
      apiKey: "k",
      maxRetries: 1,
      timeoutMs: 2000,
      sleep: async () => undefined,
    });
    await sender.send([event(1)]);
    expect(sender.stats).toMatchObject({ requests: 2, retries: 1, rejected: { network: 1 } });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 14:00:10 GMT", Date.parse("2026-11-28T14:00:00Z"))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
