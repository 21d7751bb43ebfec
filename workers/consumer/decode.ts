import { storedEventSchema } from "@/core/events";

/** A message value the consumer can write as one JSON line. */
export interface DecodedEvent {
  ok: true;
  /** The JSON line, without the trailing '\n'. */
  line: string;
  eventType: string;
  eventTime: string;
}

export interface UndecodableMessage {
  ok: false;
  error: string;
}

export type DecodeResult = DecodedEvent | UndecodableMessage;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes one Kafka message value as the web app writes it: a StoredEvent as UTF-8 JSON.
 * Anything else (null, not UTF-8, not JSON, not an object, failing the schema) is a poison message.
 */
export function decodeEventMessage(value: Buffer | null): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, error: "empty message value" };
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { ok: false, error: "message value is not valid UTF-8" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `message value is not JSON: ${(err as Error).message}` };
  }
  if (!isPlainObject(parsed)) {
    return { ok: false, error: `message value is JSON but not an object (got ${Array.isArray(parsed) ? "array" : parsed === null ? "null" : typeof parsed})` };
  }
  const result = storedEventSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    return { ok: false, error: `not a valid event: ${issues}` };
  }
  // The schema is strict and has no transforms, so the parsed object holds exactly the validated
  // fields; writing it (not result.data, which zod rebuilds in schema order) keeps the key order
  // as received.
  return {
    ok: true,
    line: JSON.stringify(parsed),
    eventType: result.data.event_type,
    eventTime: result.data.event_time,
  };
}
