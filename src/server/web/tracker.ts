import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

export const TRACKER_PATH = "/pulse.js";

interface TrackerFile {
  plain: Buffer;
  gzip: Buffer;
  etag: string;
  headers: Record<string, string>;
}

/**
 * /pulse.js from memory, on the web server's fast path (src/server/web/main.ts): every page of a
 * tracked site asks for it, so it skips Next's router too. The file is the build's own
 * `public/pulse.js` (docs/collector.md, "Build"), read once at start; its Cache-Control and other
 * headers are the ones next.config.mjs gives it (one definition), with an ETag for revalidation
 * and a gzip copy for browsers that accept it.
 */
export async function loadTracker(appDir: string): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const plain = await readFile(path.join(appDir, "public", "pulse.js"));
  const configured = await configuredHeaders(appDir);
  const file: TrackerFile = {
    plain,
    gzip: gzipSync(plain, { level: 9 }),
    etag: `"${createHash("sha256").update(plain).digest("base64url").slice(0, 27)}"`,
    headers: { "content-type": "application/javascript; charset=utf-8", ...configured, vary: "Accept-Encoding" },
  };
  return (req, res) => serve(file, req, res);
}

async function configuredHeaders(appDir: string): Promise<Record<string, string>> {
  const config = (await import(pathToFileURL(path.join(appDir, "next.config.mjs")).href)) as {
    default: { headers?: () => Promise<Array<{ source: string; headers: Array<{ key: string; value: string }> }>> };
  };
  const rules = (await config.default.headers?.()) ?? [];
  const rule = rules.find((r) => r.source === TRACKER_PATH);
  return Object.fromEntries((rule?.headers ?? []).map((h) => [h.key.toLowerCase(), h.value]));
}

function serve(file: TrackerFile, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const headers = { ...file.headers, etag: file.etag };
  const match = req.headers["if-none-match"];
  if (match && match.split(",").some((tag) => tag.trim().replace(/^W\//, "") === file.etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  const gzip = /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
  const body = gzip ? file.gzip : file.plain;
  res.writeHead(200, { ...headers, ...(gzip ? { "content-encoding": "gzip" } : {}), "content-length": String(body.length) });
  res.end(req.method === "HEAD" ? undefined : body);
}
