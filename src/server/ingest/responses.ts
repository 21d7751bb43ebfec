/** JSON responses of the ingest API. Every error body is {"error": <code>, "message": <text>, ...}. */

/** Browsers send events from other origins; keys travel in headers, never cookies, so "*" is safe. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "Authorization, X-API-Key, Content-Type",
  "access-control-expose-headers": "Retry-After",
  "access-control-max-age": "86400",
};

export function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...CORS_HEADERS, ...headers },
  });
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
  | "internal_error";

export function jsonError(
  status: number,
  error: IngestErrorCode,
  message: string,
  options: { retryAfterSeconds?: number; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Response {
  const headers: Record<string, string> = { ...options.headers };
  const body: Record<string, unknown> = { error, message, ...options.extra };
  if (options.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(options.retryAfterSeconds);
    body.retry_after_seconds = options.retryAfterSeconds;
  }
  return json(status, body, headers);
}
