import { isUtf8 } from "node:buffer";
import { describeIssues, storedEventSchema, type StoredEvent } from "@/core/events";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";

/** A message value the consumer can write as one JSON line. */
export interface DecodedEvent {
  ok: true;
  /** The JSON line, without the trailing '\n'. */
  line: Buffer;
  eventType: string;
  eventTime: string;
  siteId: string;
  /** The validated event (site_id filled in for a legacy message), for readers that need its fields (workers/live). */
  event: StoredEvent;
}

export interface UndecodableMessage {
  ok: false;
  error: string;
}

export type DecodeResult = DecodedEvent | UndecodableMessage;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes one Kafka message value as the web app writes it: a StoredEvent as UTF-8 JSON.
 * Anything else (null, not UTF-8, not JSON, not an object, failing the schema) is a poison message.
 */
export function decodeEventMessage(value: Buffer | null): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, error: "empty message value" };
  if (!isUtf8(value)) return { ok: false, error: "message value is not valid UTF-8" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString("utf8"));
  } catch (err) {
    return { ok: false, error: `message value is not JSON: ${(err as Error).message}` };
  }
  if (!isPlainObject(parsed)) {
    return {
      ok: false,
      error: `message value is JSON but not an object (got ${Array.isArray(parsed) ? "array" : parsed === null ? "null" : typeof parsed})`,
    };
  }
  const result = storedEventSchema.safeParse(parsed);
  if (!result.success) {
    return { ok: false, error: `not a valid event: ${describeIssues(result.error.issues, 5)}` };
  }
  // The schema is strict and has no transforms, so the message holds exactly the validated
  // fields. The web app's value is JSON.stringify(StoredEvent): one line, keys as received, so it is
  // written byte for byte (no re-serialising: this is the consumer's hot path). A value spread over
  // several lines (another producer pretty-printing) is re-serialised from the parsed object, which
  // keeps its key order (result.data would not: zod rebuilds it in schema order). A message from
  // before sites existed (no site_id, still in Kafka at the upgrade) is the default site's: it gets
  // that site_id, so every line in a site's folder says which site it is.
  const legacy = result.data.site_id === undefined;
  const reserialize = legacy || value.includes(0x0a) || value.includes(0x0d);
  return {
    ok: true,
    line: reserialize ? Buffer.from(JSON.stringify(legacy ? { site_id: DEFAULT_SITE_ID, ...parsed } : parsed)) : value,
    eventType: result.data.event_type,
    eventTime: result.data.event_time,
    siteId: result.data.site_id ?? DEFAULT_SITE_ID,
    event: { ...result.data, site_id: result.data.site_id ?? DEFAULT_SITE_ID },
  };
}
