import type { IncomingMessage, ServerResponse } from "node:http";
import { logger } from "@/core/logging/logger";
import { discardIncomingBody, readIncomingBody } from "./body";
import { collect, collectPreflight } from "./collect";
import { ingest, type IngestRequest } from "./handler";
import { internalError, jsonError, preflight, type IngestReply } from "./responses";

export const INGEST_PATH = "/api/events";
export const COLLECT_PATH = "/api/collect";

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

function send(res: ServerResponse, reply: IngestReply): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body === "" ? undefined : reply.body);
}

function requestOf(req: IncomingMessage): IngestRequest {
  return {
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    readBody: (maxBytes) => readIncomingBody(req, maxBytes),
    discardBody: () => discardIncomingBody(req),
  };
}

function answer(res: ServerResponse, reply: Promise<IngestReply>, route: string): void {
  reply.then(
    (r) => send(res, r),
    (err: unknown) => {
      // The client learns only that it failed; what failed (and where) is for the log.
      logger.error({ err, route }, "ingest request failed");
      send(res, internalError());
    },
  );
}

function notPost(res: ServerResponse): void {
  send(res, jsonError(405, "method_not_allowed", "use POST", { headers: { allow: "POST, OPTIONS" } }));
}

/** POST/OPTIONS /api/events with the same handler as the Next route (src/app/api/events/route.ts). */
export const handleIngestNode: NodeHandler = (req, res) => {
  if (req.method === "OPTIONS") return send(res, preflight());
  if (req.method !== "POST") return notPost(res);
  answer(res, ingest(requestOf(req)), INGEST_PATH);
};

/** POST/OPTIONS /api/collect with the same handler as the Next route (src/app/api/collect/route.ts). */
export const handleCollectNode: NodeHandler = (req, res) => {
  if (req.method === "OPTIONS") return send(res, collectPreflight(requestOf(req).header("origin")));
  if (req.method !== "POST") return notPost(res);
  answer(res, collect(requestOf(req), req.headers), COLLECT_PATH);
};

// A Map, not an object: a path like "/__proto__" must find nothing.
const FAST_ROUTES = new Map<string, NodeHandler>([
  [INGEST_PATH, handleIngestNode],
  [COLLECT_PATH, handleCollectNode],
]);

/**
 * The ingest route a node:http request is for (path exactly, any query string), or null. The web
 * server (src/server/web/main.ts) answers these itself, ahead of Next's router: the same
 * handlers, without the router's cost per request (README, "Tests and benchmarks").
 */
export function fastIngestRoute(req: IncomingMessage): NodeHandler | null {
  const url = req.url ?? "";
  const q = url.indexOf("?");
  return FAST_ROUTES.get(q === -1 ? url : url.slice(0, q)) ?? null;
}
