import { createHmac, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isbot } from "isbot";
import { getConfig } from "@/core/config";
import { verifyApiKey } from "@/core/db/apiKeys";
import { getSite } from "@/core/db/sites";
import { withDims } from "@/core/dimensions/attach";
import { parseIngestBody } from "@/core/events";
import { clientAddressFromHeaders } from "@/core/http/clientAddress";
import { getEventProducer } from "@/core/kafka/producer";
import { logger } from "@/core/logging/logger";
import { getRedis } from "@/core/redis";
import { hostnameAllowed } from "@/core/sites/hostnames";
import { dailySalt, saltDay } from "@/core/visitors/salt";
import { visitorSession } from "@/core/visitors/visitor";
import type { IngestRequest } from "./handler";
import { kafkaUnavailable, rateLimited, readJsonBody } from "./handler";
import { consumeEvents } from "./rateLimit";
import { jsonError, json, type IngestReply } from "./responses";

/** The time (ISO) of the site's last queued browser events: the keys page's collect.status reads it. */
export function lastCollectKey(siteId: string): string {
  return `pulse:collect:last:${siteId}`;
}

/**
 * Preflight of a JSON POST from a page (sendBeacon's text/plain needs none). It carries no key, so
 * the site is not known yet: it allows POST with Content-Type for the asking origin, and the POST
 * itself is refused (403, no CORS headers) when that origin is not one of the key's site's hostnames.
 */
export function collectPreflight(origin: string | null | undefined): IngestReply {
  if (!origin) return { status: 403, headers: {}, body: "" };
  return {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "Content-Type",
      "access-control-max-age": "86400",
      vary: "Origin",
    },
    body: "",
  };
}

/** A browser sends one event per request (src/collector/pulse.ts); a few are allowed for flushes. */
export const COLLECT_MAX_EVENTS = 20;
export const COLLECT_MAX_BODY_BYTES = 64 * 1024;
/** Fields a page may send; the server makes user_id, session_id and event_time. */
const BROWSER_FIELDS = new Set(["event_type", "event_id", "page_path", "button_id", "props", "referrer", "context"]);
/** Of an event's context, a page may send only these: the address and user agent come from the request. */
const BROWSER_CONTEXT = new Set(["url", "referrer", "language", "screen_width"]);

/**
 * POST /api/collect (docs/collector.md): the browser collector's route. The same stages as
 * /api/events (src/server/ingest/handler.ts) with the browser's rules:
 *  1. the Origin must be there (browsers always send it on a POST);
 *  2. body: text/plain (what sendBeacon sends, no preflight) or JSON, at most COLLECT_MAX_BODY_BYTES,
 *     `{"key": "pk_…", "events": [...]}`;
 *  3. the key: known (401), publishable (a secret key is refused: it must never live in a page), and
 *     the Origin one of its site's hostnames (403 without CORS headers, so the browser reports it);
 *  4. bots (by user agent): 202 and counted, not stored;
 *  5. rate limits per key and per client address, charged per event;
 *  6. the visitor and session (src/core/visitors), a server-made session_created first in a new
 *     session, then the same schema as /api/events, the enrich stage (dims), and Kafka.
 * The client address and user agent are used for the visitor hash and the limit, never stored.
 */
export async function collect(request: IngestRequest, headers: Headers | IncomingHttpHeaders): Promise<IngestReply> {
  const origin = request.header("origin");
  const host = originHost(origin);
  if (!host) {
    await request.discardBody();
    return forbidden("an Origin header naming the page's site is required (browsers send it; this route is for pages)");
  }
  const contentType = (request.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (contentType !== "text/plain" && contentType !== "application/json") {
    await request.discardBody();
    return withCors(jsonError(415, "unsupported_media_type", "Content-Type must be text/plain or application/json"), origin!);
  }
  const read = await readJsonBody(request, COLLECT_MAX_BODY_BYTES);
  if (!read.ok) return read.reply;
  const envelope = parseEnvelope(read.body);
  if (typeof envelope === "string") return jsonError(400, "invalid_event", envelope);

  const key = await verifyApiKey(envelope.key);
  if (!key) return jsonError(401, "unauthorized", "unknown or revoked key");
  if (key.kind !== "publishable") {
    return forbidden(`key ${key.prefix} is a secret key: it must never be in a web page. Revoke it, and use a publishable key (pk_…) here`);
  }
  const site = await siteHostnames(key.siteId);
  if (!site || !hostnameAllowed(host, site))
    return forbidden(`${host} is not one of this site's hostnames (the site's settings list them)`);

  const userAgent = request.header("user-agent") ?? "";
  const redis = getRedis();
  if (isbot(userAgent)) {
    const counter = `pulse:bots:${key.siteId}:${saltDay(Date.now())}`;
    await redis
      .multi()
      .incrby(counter, envelope.events.length)
      .expire(counter, 40 * 86_400)
      .exec();
    return withCors(json(202, { status: "filtered", reason: "bot" }), origin!);
  }

  const address = clientAddressFromHeaders(headers);
  const config = getConfig();
  const perKey = await consumeEvents(key.id, envelope.events.length);
  if (!perKey.ok) return withCors(rateLimited(config.ingest.rate_limit_per_minute, perKey.retryAfterSeconds), origin!);
  // The address is a limiter key only as a salted hash: not even Redis holds it.
  const addressKey = `ip:${createHmac("sha256", await dailySalt(redis))
    .update(address)
    .digest("base64url")
    .slice(0, 22)}`;
  const perAddress = await consumeEvents(addressKey, envelope.events.length);
  if (!perAddress.ok) return withCors(rateLimited(config.ingest.rate_limit_per_minute, perAddress.retryAfterSeconds), origin!);

  const visit = await visitorSession(redis, { siteId: key.siteId, address, userAgent });
  const events: Record<string, unknown>[] = envelope.events.map((e) => ({ ...e, user_id: visit.userId, session_id: visit.sessionId }));
  if (visit.started) {
    events.unshift({ event_type: "session_created", event_id: randomUUID(), user_id: visit.userId, session_id: visit.sessionId });
  }
  const parsed = parseIngestBody(
    { events },
    {
      siteId: key.siteId,
      maxBatch: COLLECT_MAX_EVENTS + 1,
      maxFutureSeconds: config.ingest.max_future_seconds,
      maxPastDays: config.ingest.max_past_days,
      maxBackfillDays: config.ingest.max_backfill_days,
    },
  );
  if (!parsed.ok) return withCors(json(400, { error: "invalid_event", issues: parsed.issues }), origin!);
  // Enrich (docs/dimensions.md): the request's user agent, address and language with each event's
  // page URL and referrer become its dims. The server's session_created takes those of the event
  // that started the session, so the session has its landing page's source.
  const visitor = { userAgent, ip: address, language: request.header("accept-language") ?? undefined };
  const stored = parsed.events.map((event) => withDims(event, visitor));
  if (visit.started && stored[1]) stored[0] = { ...stored[0]!, dims: stored[1].dims };

  const producer = getEventProducer();
  try {
    await producer.publish(stored);
  } catch (err) {
    return withCors(kafkaUnavailable(err, stored, producer.retryAfterSeconds), origin!);
  }
  // The keys page's "waiting for the first event" turns green on this (collect.status).
  await getRedis().set(lastCollectKey(key.siteId), new Date().toISOString());
  return withCors(json(202, { status: "queued", accepted: envelope.events.length }), origin!);
}

type Envelope = { key: string; events: Record<string, unknown>[] };

/** The body's shape, or what is wrong with it. Unknown fields and server-made ones are refused by name. */
function parseEnvelope(body: unknown): Envelope | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return 'body must be {"key": "pk_…", "events": [...]}';
  const { key, events, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return `unknown field "${extra}"`;
  if (typeof key !== "string" || key.length === 0 || key.length > 200) return "key must be the site's publishable key (pk_…)";
  if (!Array.isArray(events) || events.length < 1 || events.length > COLLECT_MAX_EVENTS) {
    return `events must be an array of 1 to ${COLLECT_MAX_EVENTS} events`;
  }
  for (const [i, event] of events.entries()) {
    if (typeof event !== "object" || event === null || Array.isArray(event)) return `events[${i}] must be an object`;
    const field = Object.keys(event).find((k) => !BROWSER_FIELDS.has(k));
    if (field !== undefined)
      return `events[${i}].${field}: a page may not send "${field}" (the server makes user_id, session_id and event_time)`;
    const context = (event as { context?: unknown }).context;
    if (typeof context === "object" && context !== null && !Array.isArray(context)) {
      const taken = Object.keys(context).find((k) => !BROWSER_CONTEXT.has(k));
      if (taken !== undefined)
        return `events[${i}].context.${taken}: a page may not send "${taken}" (the server reads the address and user agent from the request)`;
    }
  }
  return { key, events: events as Record<string, unknown>[] };
}

function originHost(origin: string | null | undefined): string | null {
  if (!origin || origin === "null") return null;
  try {
    const url = new URL(origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url.hostname : null;
  } catch {
    return null;
  }
}

/** CORS for the page's own origin only (never "*"), once its origin is known to be the site's. */
function withCors(reply: IngestReply, origin: string): IngestReply {
  const headers = { ...reply.headers, "access-control-allow-origin": origin, vary: "Origin" };
  return { ...reply, headers };
}

/** A refusal the browser reports as a CORS error: no Access-Control-Allow-Origin. */
function forbidden(message: string): IngestReply {
  const reply = jsonError(403, "forbidden", message);
  const { "access-control-allow-origin": _, ...headers } = reply.headers;
  return { ...reply, headers: { ...headers, vary: "Origin" } };
}

const SITE_CACHE_MS = 10_000;
const siteCache = new Map<string, { hostnames: string[] | null; until: number }>();

/** A site's hostnames, cached briefly: a settings change takes effect within SITE_CACHE_MS. */
async function siteHostnames(siteId: string): Promise<string[] | null> {
  const cached = siteCache.get(siteId);
  if (cached && cached.until > Date.now()) return cached.hostnames;
  const site = await getSite(siteId).catch((err: unknown) => {
    logger.error({ err }, "collect: the site cannot be read");
    throw err;
  });
  const hostnames = site?.hostnames ?? null;
  if (siteCache.size > 10_000) siteCache.clear();
  siteCache.set(siteId, { hostnames, until: Date.now() + SITE_CACHE_MS });
  return hostnames;
}
