export type BodyResult = { ok: true; text: string } | { ok: false; reason: "too_large" };

/**
 * Reads a request body of at most `maxBytes`. A Content-Length over the limit is refused before
 * reading anything; a chunked body is read only until it passes the limit, then the stream is
 * cancelled, so an oversized upload is never buffered whole.
 */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    const length = Number(declared);
    if (Number.isFinite(length) && length > maxBytes) {
      await request.body?.cancel().catch(() => undefined);
      return { ok: false, reason: "too_large" };
    }
    // Node's HTTP parser delivers exactly Content-Length bytes, so this read is bounded.
    if (Number.isFinite(length)) return { ok: true, text: await request.text() };
  }
  if (!request.body) return { ok: true, text: "" };
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

/** application/json, with or without parameters (charset=utf-8) or a +json suffix type. */
export function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const type = value.split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}
