import { getConfig, type AppConfig } from "@/core/config";
import { verifyApiKey, type VerifiedApiKey } from "@/core/db/apiKeys";
import { withDims } from "@/core/dimensions/attach";
import { parseIngestBody, type StoredEvent } from "@/core/events";
import { getEventProducer, KafkaUnavailableError } from "@/core/kafka/producer";
import { logger } from "@/core/logging/logger";
import { apiKeyFromHeaders } from "./auth";
import { isJsonContentType, type BodyResult } from "./body";
import { consumeEvents, knownExhausted } from "./rateLimit";
import { closing, json, jsonError, type IngestReply } from "./responses";

/** What the handler needs from an HTTP request, whatever the server (Next route or node:http). */
export interface IngestRequest {
  /** A request header by lower-case name. */
  header(name: string): string | null | undefined;
  /** Reads the body, keeping nothing past maxBytes (the rest is read and dropped, within bounds). */
  readBody(maxBytes: number): Promise<BodyResult>;
  /** Reads and drops the body (within bounds); true when it was read to its end. */
  discardBody(): Promise<boolean>;
}

const AUTH_HEADERS = { "www-authenticate": 'Bearer realm="pulse"' };
const AUTH_STORE_RETRY_SECONDS = 5;

/**
 * POST /api/events (docs/api.md). Checks, in order, and the first that fails answers:
 *  1. API key present, known and not revoked (401), with the ingest scope (403): who you are comes
 *     first, so nobody learns anything about the API without a key;
 *  2. a key that already used up its window is refused (429) before its body is read;
 *  3. Content-Type (415), size (413), JSON syntax (400 invalid_json), event validation
 *     (400 invalid_event): the client's own mistakes, reported before any quota is spent;
 *  4. rate limit (429): charged per event, so only once the body is known to be valid;
 *  5. Kafka: 202 once acknowledged by all in-sync replicas, 503 + Retry-After otherwise.
 * Every answer goes out after the body was read to its end (or cut, then with `connection: close`),
 * so a client that is still uploading can read it.
 * Hot path cost for a key in use: no Redis for the key (in memory, src/core/db/apiKeyMemo.ts), one
 * Redis script per hundredth of the key's limit (src/server/ingest/rateLimit.ts), no database query.
 */
export async function ingest(request: IngestRequest): Promise<IngestReply> {
  const config = getConfig();

  const gate = await checkBeforeBody(request, config);
  if (!gate.ok) return (await request.discardBody()) ? gate.reply : closing(gate.reply);
  const { key } = gate;

  const read = await readJsonBody(request, config.ingest.max_body_bytes);
  if (!read.ok) return read.reply;
  const { body } = read;

  const parsed = parseIngestBody(body, {
    // The site comes from the key, never from the body.
    siteId: key.siteId,
    maxBatch: config.ingest.max_batch_events,
    maxFutureSeconds: config.ingest.max_future_seconds,
    maxPastDays: config.ingest.max_past_days,
    maxBackfillDays: config.ingest.max_backfill_days,
    backfill: key.scopes.includes("backfill"),
  });
  if (!parsed.ok) {
    return json(400, { error: "invalid_event", issues: parsed.issues });
  }
  // Enrich: a server's context becomes dims (docs/dimensions.md) and is not stored.
  const events = parsed.events.map((event) => withDims(event));

  const limit = await consumeEvents(key.id, events.length);
  if (!limit.ok) return rateLimited(config.ingest.rate_limit_per_minute, limit.retryAfterSeconds);

  const producer = getEventProducer();
  try {
    await producer.publish(events);
  } catch (err) {
    return kafkaUnavailable(err, events, producer.retryAfterSeconds);
  }

  const isBatch = typeof body === "object" && body !== null && !Array.isArray(body) && "events" in body;
  if (isBatch) {
    return json(202, { status: "queued", accepted: events.length, event_ids: events.map((e) => e.event_id) });
  }
  return json(202, {
    status: "queued",
    event_id: events[0]!.event_id,
    message: `Event successfully queued to ${producer.topic}`,
  });
}

/** The parse stage of both ingest routes (this one and /api/collect): the body, at most maxBytes, as JSON. */
export async function readJsonBody(
  request: IngestRequest,
  maxBytes: number,
): Promise<{ ok: true; body: unknown } | { ok: false; reply: IngestReply }> {
  const read = await request.readBody(maxBytes);
  if (!read.ok) {
    const reply = jsonError(413, "payload_too_large", `request body exceeds ${maxBytes} bytes`);
    // Cut before its end, the upload leaves unread bytes on the connection: close it.
    return { ok: false, reply: read.drained ? reply : closing(reply) };
  }
  try {
    return { ok: true, body: JSON.parse(read.text) as unknown };
  } catch (err) {
    return { ok: false, reply: jsonError(400, "invalid_json", `body is not valid JSON: ${(err as Error).message}`) };
  }
}

type BeforeBody = { ok: true; key: VerifiedApiKey } | { ok: false; reply: IngestReply };

/** Steps 1–3 up to the body: the answers given before the body is read (the key, its quota, the content type). */
async function checkBeforeBody(request: IngestRequest, config: AppConfig): Promise<BeforeBody> {
  const secret = apiKeyFromHeaders(request.header("authorization"), request.header("x-api-key"));
  if (!secret) {
    const message = "missing API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`";
    return { ok: false, reply: jsonError(401, "unauthorized", message, { headers: AUTH_HEADERS }) };
  }
  let key;
  try {
    key = await verifyApiKey(secret);
  } catch (err) {
    logger.error({ err }, "ingest: API keys cannot be checked (PostgreSQL and Redis unreachable?)");
    const reply = jsonError(503, "service_unavailable", "API keys cannot be checked right now", {
      retryAfterSeconds: AUTH_STORE_RETRY_SECONDS,
    });
    return { ok: false, reply };
  }
  if (!key) return { ok: false, reply: jsonError(401, "unauthorized", "unknown or revoked API key", { headers: AUTH_HEADERS }) };
  if (key.kind === "publishable") {
    const message = `API key ${key.prefix} is a publishable key: it only works on /api/collect (the browser collector); use a secret key (sk_…) here`;
    return { ok: false, reply: jsonError(403, "forbidden", message) };
  }
  if (!key.scopes.includes("ingest")) {
    return { ok: false, reply: jsonError(403, "forbidden", `API key ${key.prefix} does not have the "ingest" scope`) };
  }

  const early = knownExhausted(key.id);
  if (!early.ok) return { ok: false, reply: rateLimited(config.ingest.rate_limit_per_minute, early.retryAfterSeconds) };

  if (!isJsonContentType(request.header("content-type"))) {
    return { ok: false, reply: jsonError(415, "unsupported_media_type", "Content-Type must be application/json") };
  }
  return { ok: true, key };
}

/**
 * 503 for a publish Kafka did not acknowledge. When the send reached Kafka (it timed out or failed
 * on the way back) the events may be written all the same: the body then lists their event_ids, in
 * order, so the client resends with them and the retry counts once (the ETL keeps one copy of an
 * event_id per session). When nothing was sent (no connection, the fast-fail window after a failure,
 * shutting down) it says so and lists no ids.
 */
export function kafkaUnavailable(err: unknown, events: readonly StoredEvent[], fallbackRetryAfter: number): IngestReply {
  const unavailable = err instanceof KafkaUnavailableError ? err : null;
  const retryAfterSeconds = unavailable?.retryAfterSeconds ?? fallbackRetryAfter;
  if (unavailable?.written === "none") {
    return jsonError(503, "kafka_unavailable", "Kafka is unavailable: nothing was written; retry later", {
      retryAfterSeconds,
      extra: { written: "none" },
    });
  }
  const message =
    "Kafka did not confirm the write in time, so the events may have been stored: resend them with these event_ids " +
    "(in the same order) so the retry counts once";
  return jsonError(503, "kafka_unavailable", message, {
    retryAfterSeconds,
    extra: { written: "unknown", event_ids: events.map((e) => e.event_id) },
  });
}

export function rateLimited(limit: number, retryAfterSeconds: number): IngestReply {
  return jsonError(429, "rate_limited", `rate limit of ${limit} events per minute exceeded for this API key`, {
    retryAfterSeconds,
  });
}
