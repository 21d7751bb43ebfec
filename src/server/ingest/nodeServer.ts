import type { IncomingMessage, ServerResponse } from "node:http";
import { logger } from "@/core/logging/logger";
import { discardIncomingBody, readIncomingBody } from "./body";
import { ingest } from "./handler";
import { internalError, jsonError, preflight, type IngestReply } from "./responses";

export const INGEST_PATH = "/api/events";

/** Whether a node:http request is for the ingest endpoint (path, any query string). */
export function isIngestRequest(req: IncomingMessage): boolean {
  const url = req.url ?? "";
  return url === INGEST_PATH || url.startsWith(`${INGEST_PATH}?`);
}

function send(res: ServerResponse, reply: IngestReply): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body === "" ? undefined : reply.body);
}

/**
 * POST/OPTIONS /api/events straight on node:http, with the same handler as the Next route, for a
 * custom server placed in front of Next (see bench/ingest.ts for what that buys). Anything else
 * that reaches it is answered 405.
 */
export function handleIngestNode(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === "OPTIONS") return send(res, preflight());
  if (req.method !== "POST") {
    return send(res, jsonError(405, "method_not_allowed", "use POST", { headers: { allow: "POST, OPTIONS" } }));
  }
  ingest({
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    readBody: (maxBytes) => readIncomingBody(req, maxBytes),
    discardBody: () => discardIncomingBody(req),
  }).then(
    (reply) => send(res, reply),
    (err: unknown) => {
      // The client learns only that it failed; what failed (and where) is for the log.
      logger.error({ err }, "ingest request failed");
      send(res, internalError());
    },
  );
}
