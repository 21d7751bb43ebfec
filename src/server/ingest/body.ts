import type { IncomingMessage } from "node:http";

/**
 * A request that is refused (too large, no key, ...) still has its body read to the end and
 * dropped, up to this many bytes in all, before the answer goes out: a client that is still
 * uploading when the server answers and closes gets a reset (EPIPE) instead of the answer (docs/api.md).
 * A bigger upload is cut: the answer goes out with `connection: close` and may not be read.
 */
export const DRAIN_MAX_BYTES = 8 * 1024 * 1024;

/**
 * ...and for at most this long, so a slow client cannot hold a connection open with an upload that
 * is refused anyway. The only other bound is Node's server.requestTimeout (300 s by default, checked
 * every 30 s), which neither the web app's server (src/server/web/main.ts) nor bench/ingest-node-server.ts
 * changes.
 */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface DrainLimits {
  maxBytes: number;
  timeoutMs: number;
}

const DRAIN: DrainLimits = { maxBytes: DRAIN_MAX_BYTES, timeoutMs: DRAIN_TIMEOUT_MS };

/** `drained`: the rest of the upload was read, so the connection can stay open after the 413. */
export type BodyResult = { ok: true; text: string } | { ok: false; reason: "too_large"; drained: boolean };

/** application/json, with or without parameters (charset=utf-8) or a +json suffix type. */
export function isJsonContentType(value: string | null | undefined): boolean {
  if (!value) return false;
  const semi = value.indexOf(";");
  const type = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

function declaredLength(contentLength: string | null | undefined): number | null {
  if (contentLength === null || contentLength === undefined) return null;
  const length = Number(contentLength);
  return Number.isFinite(length) ? length : null;
}

/**
 * Reads a Web Request body of at most `maxBytes`. Past the limit (declared or counted) nothing more
 * is kept: the rest is drained (see DRAIN_MAX_BYTES), so an oversized upload is never buffered.
 */
export async function readRequestBody(request: Request, maxBytes: number, drain: DrainLimits = DRAIN): Promise<BodyResult> {
  const declared = declaredLength(request.headers.get("content-length"));
  if (declared !== null && declared > maxBytes) {
    return { ok: false, reason: "too_large", drained: await discardRequestBody(request, drain) };
  }
  if (!request.body) return { ok: true, text: "" };
  // With a Content-Length, Node's HTTP parser delivers exactly that many bytes: a bounded read.
  if (declared !== null) return { ok: true, text: await request.text() };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      chunks.length = 0;
      return { ok: false, reason: "too_large", drained: await drainReader(reader, total, drain) };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks, total).toString("utf8") };
}

/**
 * Reads and drops a Web Request body that will not be used (the request is answered without it).
 * True when it was read to its end; false when it was cut (too big, too slow, or the client left).
 */
export async function discardRequestBody(request: Request, drain: DrainLimits = DRAIN): Promise<boolean> {
  if (!request.body) return true;
  const declared = declaredLength(request.headers.get("content-length"));
  // Bound to be cut: reading it first would only delay the answer.
  if (declared !== null && declared > drain.maxBytes) return false;
  return drainReader(request.body.getReader(), 0, drain);
}

async function drainReader(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number, drain: DrainLimits): Promise<boolean> {
  let total = alreadyRead;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), drain.timeoutMs);
  });
  try {
    for (;;) {
      const chunk = await Promise.race([reader.read(), expired]);
      if (chunk === null) return false;
      if (chunk.done) return true;
      total += chunk.value.byteLength;
      if (total > drain.maxBytes) return false;
    }
  } catch {
    return false; // the client went away mid-upload: there is nobody left to answer
  } finally {
    clearTimeout(timer);
  }
}

/** readRequestBody for a node:http request (the bare-server adapter). */
export function readIncomingBody(req: IncomingMessage, maxBytes: number, drain: DrainLimits = DRAIN): Promise<BodyResult> {
  const declared = declaredLength(req.headers["content-length"]);
  if (declared !== null && declared > maxBytes) {
    return discardIncomingBody(req, drain).then((drained) => ({ ok: false, reason: "too_large", drained }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      stop();
      void drainIncoming(req, total, drain).then((drained) => resolve({ ok: false, reason: "too_large", drained }));
    };
    const onEnd = () => {
      stop();
      resolve({ ok: true, text: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, total).toString("utf8") });
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** discardRequestBody for a node:http request. */
export function discardIncomingBody(req: IncomingMessage, drain: DrainLimits = DRAIN): Promise<boolean> {
  const declared = declaredLength(req.headers["content-length"]);
  if (declared !== null && declared > drain.maxBytes) return Promise.resolve(false);
  return drainIncoming(req, 0, drain);
}

function drainIncoming(req: IncomingMessage, alreadyRead: number, drain: DrainLimits): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let total = alreadyRead;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
      // Stop reading what is cut; the answer then closes the connection.
      if (!drained) req.pause();
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > drain.maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onGone = () => finish(false);
    const timer = setTimeout(onGone, drain.timeoutMs);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onGone);
    req.on("close", onGone);
  });
}
