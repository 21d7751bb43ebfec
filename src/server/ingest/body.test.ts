// Body reading and draining, on Web Requests (the Next route) and on a real node:http server (the
// node:http adapter), with small limits so every case runs in milliseconds.
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discardIncomingBody, discardRequestBody, readIncomingBody, readRequestBody, type BodyResult, type DrainLimits } from "./body";

const KiB = 1024;
const MAX = 64 * KiB;
const DRAIN: DrainLimits = { maxBytes: 256 * KiB, timeoutMs: 300 };

/** A body of `total` bytes in 16 KiB chunks; with `hang`, it never ends after them. */
function stream(total: number, options: { hang?: boolean } = {}): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(16 * KiB).fill(120);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) {
        if (!options.hang) controller.close();
        return new Promise(() => undefined);
      }
      const n = Math.min(chunk.byteLength, total - sent);
      sent += n;
      controller.enqueue(chunk.subarray(0, n));
    },
  });
}

function request(body: ReadableStream<Uint8Array>, contentLength?: number): Request {
  const headers: Record<string, string> = contentLength === undefined ? {} : { "content-length": String(contentLength) };
  return new Request("http://test/api/events", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

describe("readRequestBody / discardRequestBody (Web Request)", () => {
  it("returns a body within the limit", async () => {
    expect(await readRequestBody(request(stream(MAX)), MAX, DRAIN)).toEqual({ ok: true, text: "x".repeat(MAX) });
  });

  it("refuses a body over the limit and reads the rest to its end when it is within the drain limit", async () => {
    expect(await readRequestBody(request(stream(MAX + 1)), MAX, DRAIN)).toEqual({ ok: false, reason: "too_large", drained: true });
    expect(await readRequestBody(request(stream(DRAIN.maxBytes)), MAX, DRAIN)).toEqual({ ok: false, reason: "too_large", drained: true });
  });

  it("cuts a body over the drain limit", async () => {
    expect(await readRequestBody(request(stream(DRAIN.maxBytes + 1)), MAX, DRAIN)).toEqual({
      ok: false,
      reason: "too_large",
      drained: false,
    });
  });

  it("does not read a declared length over the drain limit at all", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(KiB));
      },
    });
    expect(await discardRequestBody(request(body, DRAIN.maxBytes + 1), DRAIN)).toBe(false);
    expect(pulled).toBeLessThanOrEqual(1); // the stream's own first pull, not ours
  });

  it("gives up on a client that stops sending, after the drain timeout", async () => {
    const started = performance.now();
    expect(await readRequestBody(request(stream(MAX + 1, { hang: true })), MAX, DRAIN)).toEqual({
      ok: false,
      reason: "too_large",
      drained: false,
    });
    expect(await discardRequestBody(request(stream(KiB, { hang: true })), DRAIN)).toBe(false);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(2 * DRAIN.timeoutMs - 20);
    expect(ms).toBeLessThan(2 * DRAIN.timeoutMs + 2_000);
  });

  it("discards a small body or none", async () => {
    expect(await discardRequestBody(request(stream(KiB)), DRAIN)).toBe(true);
    expect(await discardRequestBody(new Request("http://test/", { method: "POST" }), DRAIN)).toBe(true);
  });
});

describe("readIncomingBody / discardIncomingBody (node:http)", () => {
  let server: http.Server;
  let url: string;
  let handle: (req: IncomingMessage) => Promise<unknown>;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      handle(req).then(
        (result) => res.end(JSON.stringify(result)),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Posts `bytes` bytes (chunked unless `declare`), then `hang`s without ending if asked. */
  function post(bytes: number, options: { declare?: boolean; hang?: boolean } = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = options.declare ? { "content-length": String(bytes + (options.hang ? 1 : 0)) } : {};
      const req = http.request(url, { method: "POST", headers, agent: false }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve(JSON.parse(text)));
      });
      req.on("error", reject);
      req.write(Buffer.alloc(bytes, "x"));
      if (!options.hang) req.end();
    });
  }

  it("reads a body within the limit and refuses (draining) one over it, with or without Content-Length", async () => {
    handle = (req) => readIncomingBody(req, MAX, DRAIN).then((r: BodyResult) => (r.ok ? { ok: true, length: r.text.length } : r));
    expect(await post(MAX)).toEqual({ ok: true, length: MAX });
    expect(await post(MAX, { declare: true })).toEqual({ ok: true, length: MAX });
    for (const declare of [false, true]) {
      expect(await post(MAX + 1, { declare })).toEqual({ ok: false, reason: "too_large", drained: true });
      expect(await post(DRAIN.maxBytes, { declare })).toEqual({ ok: false, reason: "too_large", drained: true });
      expect(await post(DRAIN.maxBytes + 1, { declare })).toEqual({ ok: false, reason: "too_large", drained: false });
    }
  });

  it("gives up on a client that stops sending, after the drain timeout", async () => {
    handle = (req) => readIncomingBody(req, MAX, DRAIN);
    const started = performance.now();
    expect(await post(MAX + 1, { hang: true })).toEqual({ ok: false, reason: "too_large", drained: false });
    handle = (req) => discardIncomingBody(req, DRAIN).then((drained) => ({ drained }));
    expect(await post(KiB, { hang: true, declare: true })).toEqual({ drained: false });
    expect(performance.now() - started).toBeLessThan(2 * DRAIN.timeoutMs + 2_000);
  });

  it("discards a body within the drain limit and not one declared over it", async () => {
    handle = (req) => discardIncomingBody(req, DRAIN).then((drained) => ({ drained }));
    expect(await post(0)).toEqual({ drained: true });
    expect(await post(DRAIN.maxBytes, { declare: true })).toEqual({ drained: true });
    expect(await post(DRAIN.maxBytes)).toEqual({ drained: true });
    expect(await post(DRAIN.maxBytes + 1)).toEqual({ drained: false });
  });
});
