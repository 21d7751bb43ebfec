/**
 * Big uploads to POST /api/events with the two clients users have: node:http, which writes the
 * whole body before it looks at the answer (like most SDKs, curl and Python's requests), and fetch
 * (undici). Either one fails with EPIPE / ECONNRESET when the server closes while it is still
 * sending: that is what the 413 / 401 tests look for.
 */
import http from "node:http";

export interface UploadOptions {
  bytes: number;
  /** Declare Content-Length (default) or send it chunked. */
  chunked?: boolean;
  key?: string | null;
  client: "node:http" | "fetch";
  /** node:http only: e.g. a keep-alive agent, to see the connection reused after the answer. */
  agent?: http.Agent;
  timeoutMs?: number;
}

export interface UploadResult {
  status: number;
  connection: string | null;
  body: Record<string, unknown>;
}

const CHUNK = Buffer.alloc(64 * 1024, "x");

function parse(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { _text: text };
  }
}

function headersFor(options: UploadOptions): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (!options.chunked) headers["content-length"] = String(options.bytes);
  return headers;
}

/** Rejects with the client's error (EPIPE, ECONNRESET, ...) if it could not read the answer. */
export function upload(appUrl: string, options: UploadOptions): Promise<UploadResult> {
  return options.client === "fetch" ? viaFetch(appUrl, options) : viaNodeHttp(appUrl, options);
}

function viaNodeHttp(appUrl: string, options: UploadOptions): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${appUrl}/api/events`,
      { method: "POST", headers: headersFor(options), agent: options.agent ?? false, timeout: options.timeoutMs ?? 30_000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection ?? null, body: parse(text) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("upload timed out")));
    let sent = 0;
    const write = (): void => {
      while (sent < options.bytes) {
        const n = Math.min(CHUNK.length, options.bytes - sent);
        sent += n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          req.once("drain", write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

async function viaFetch(appUrl: string, options: UploadOptions): Promise<UploadResult> {
  let body: string | ReadableStream<Uint8Array>;
  if (options.chunked) {
    let sent = 0;
    body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= options.bytes) return controller.close();
        const n = Math.min(CHUNK.length, options.bytes - sent);
        sent += n;
        controller.enqueue(new Uint8Array(CHUNK.subarray(0, n)));
      },
    });
  } else {
    body = "x".repeat(options.bytes);
  }
  const headers = headersFor(options);
  delete headers["content-length"]; // fetch declares it itself for a string body
  const res = await fetch(`${appUrl}/api/events`, {
    method: "POST",
    headers,
    body,
    ...(typeof body === "string" ? {} : { duplex: "half" }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  } as RequestInit);
  return { status: res.status, connection: res.headers.get("connection"), body: parse(await res.text()) };
}
