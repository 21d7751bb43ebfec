import type { IncomingMessage } from "node:http";

export type BodyResult = { ok: true; text: string } | { ok: false; reason: "too_large" };

/** application/json, with or without parameters (charset=utf-8) or a +json suffix type. */
export function isJsonContentType(value: string | null | undefined): boolean {
  if (!value) return false;
  const semi = value.indexOf(";");
  const type = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

function declaredTooLarge(contentLength: string | null | undefined, maxBytes: number): boolean {
  if (contentLength === null || contentLength === undefined) return false;
  const length = Number(contentLength);
  return Number.isFinite(length) && length > maxBytes;
}

/**
 * Reads a Web Request body of at most `maxBytes`. A Content-Length over the limit is refused
 * before reading anything; otherwise the stream is read only until it passes the limit, then
 * cancelled, so an oversized upload is never buffered whole.
 */
export async function readRequestBody(request: Request, maxBytes: number): Promise<BodyResult> {
  if (declaredTooLarge(request.headers.get("content-length"), maxBytes)) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, reason: "too_large" };
  }
  if (!request.body) return { ok: true, text: "" };
  // With a Content-Length, Node's HTTP parser delivers exactly that many bytes: a bounded read.
  if (request.headers.get("content-length") !== null) return { ok: true, text: await request.text() };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks, total).toString("utf8") };
}

/** The same for a node:http request (the bare-server adapter). */
export function readIncomingBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  if (declaredTooLarge(req.headers["content-length"], maxBytes)) {
    req.resume();
    return Promise.resolve({ ok: false, reason: "too_large" });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      total += chunk.length;
      if (total > maxBytes) {
        done = true;
        chunks.length = 0;
        resolve({ ok: false, reason: "too_large" });
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve({ ok: true, text: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, total).toString("utf8") });
    });
    req.on("error", (err) => {
      if (!done) reject(err);
      done = true;
    });
  });
}
