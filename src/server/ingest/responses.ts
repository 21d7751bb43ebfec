/**
 * Ingest API answers as plain data, so the same handler serves the Next route and a bare
 * node:http server. Every error body is {"error": <code>, "message": <text>, ...}.
 */

/** Browsers send events from other origins; keys travel in headers, never cookies, so "*" is safe. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "Authorization, X-API-Key, Content-Type",
  "access-control-expose-headers": "Retry-After",
  "access-control-max-age": "86400",
};

export interface IngestReply {
  status: number;
  headers: Record<string, string>;
  /** Serialized JSON, or "" for no body. */
  body: string;
}

const JSON_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  ...CORS_HEADERS,
};

export function json(status: number, body: unknown, headers?: Record<string, string>): IngestReply {
  return { status, headers: headers ? { ...JSON_HEADERS, ...headers } : { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

export type IngestErrorCode =
  | "unauthorized"
  | "forbidden"
  | "unsupported_media_type"
  | "payload_too_large"
  | "invalid_json"
  | "invalid_event"
  | "rate_limited"
  | "kafka_unavailable"
  | "service_unavailable"
  | "method_not_allowed"
  | "not_found"
  | "internal_error";

export function jsonError(
  status: number,
  error: IngestErrorCode,
  message: string,
  options: { retryAfterSeconds?: number; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): IngestReply {
  const headers: Record<string, string> = { ...options.headers };
  const body: Record<string, unknown> = { error, message, ...options.extra };
  if (options.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(options.retryAfterSeconds);
    body.retry_after_seconds = options.retryAfterSeconds;
  }
  return json(status, body, headers);
}

/** The same answer, and the connection is closed after it (the rest of the request was not read). */
export function closing(reply: IngestReply): IngestReply {
  return { ...reply, headers: { ...reply.headers, connection: "close" } };
}

/**
 * An unexpected failure: the cause goes to the log, never to the client. The connection is closed
 * after it, since how much of the body was read is not known.
 */
export function internalError(): IngestReply {
  return closing(jsonError(500, "internal_error", "the request could not be handled; try again later"));
}

export function preflight(): IngestReply {
  return { status: 204, headers: { ...CORS_HEADERS }, body: "" };
}

/** For the Next route handler. */
export function toResponse(reply: IngestReply): Response {
  return new Response(reply.body === "" ? null : reply.body, { status: reply.status, headers: reply.headers });
}
