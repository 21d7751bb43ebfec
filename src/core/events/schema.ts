import { z } from "zod";
import { isIP } from "node:net";
import { EVENT_DIMS, MAX_DIMENSION_BYTES, type EventDims } from "../dimensions/registry";
import { FREE_TEXT, fitsUtf8, ID_TEXT, textProblem, utf8Length, type TextKind } from "./text";

export const BUILT_IN_EVENT_TYPES = ["session_created", "page_visited", "button_clicked", "page_closed", "session_ended"] as const;
export type BuiltInEventType = (typeof BUILT_IN_EVENT_TYPES)[number];

/**
 * Limits in UTF-8 bytes (docs/api.md). They are sized so that every value fits the btree indexes
 * it is stored in: the widest key, click_facts (session_id, date, page_path, button_id), holds
 * 256 + 2048 + 256 bytes plus headers, under PostgreSQL's 2704-byte limit for an index row.
 */
export const MAX_ID_BYTES = 256;
export const MAX_PAGE_PATH_BYTES = 2048;
export const MAX_BUTTON_ID_BYTES = 256;
export const MAX_PROPS_BYTES = 8 * 1024;
/** props itself is level 1; an object or array inside it is level 2, and so on. */
export const MAX_PROPS_DEPTH = 8;
/** No event before the Unix epoch is ever accepted (and ISO 8601's four-digit years end at 9999). */
export const MIN_EVENT_TIME_MS = 0;

/**
 * A string that keeps the text rules and fits `maxBytes` of UTF-8. Built from regex and refine
 * checks rather than one superRefine: the ETL validates every log line with this schema, and
 * these checks cost a fraction of a microsecond on a valid value; the precise message is only
 * worked out for a value that fails.
 */
function text(field: string, kind: TextKind, maxBytes: number, minBytes = 0) {
  return z
    .string()
    .min(minBytes, `${field} must not be empty`)
    .regex(kind === "id" ? ID_TEXT : FREE_TEXT, { error: (issue) => `${field} ${textProblem(String(issue.input), kind)}` })
    .refine((value) => fitsUtf8(value, maxBytes), {
      error: (issue) => `${field} must be at most ${maxBytes} bytes of UTF-8 (got ${utf8Length(String(issue.input))})`,
    });
}

/** Walks a props value: every key and string keeps the text rules, nesting stays within MAX_PROPS_DEPTH. */
function checkProps(value: unknown, path: Array<string | number>, depth: number, ctx: z.RefinementCtx): void {
  if (typeof value === "string") {
    const problem = textProblem(value, "free");
    if (problem) ctx.addIssue({ code: "custom", path: ["props", ...path], message: `a props value ${problem}` });
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (depth > MAX_PROPS_DEPTH) {
    ctx.addIssue({ code: "custom", path: ["props", ...path], message: `props may nest at most ${MAX_PROPS_DEPTH} levels` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkProps(item, [...path, i], depth + 1, ctx));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const problem = textProblem(key, "free");
    if (problem) ctx.addIssue({ code: "custom", path: ["props", ...path, key], message: `a props key ${problem}` });
    else checkProps(item, [...path, key], depth + 1, ctx);
  }
}

const propsSchema = z.record(z.string(), z.unknown());

export const MAX_URL_BYTES = 8 * 1024;
export const MAX_USER_AGENT_BYTES = 1024;

/**
 * What a server forwards of its visitor's browser (docs/api.md, "context"), for the dimensions of
 * docs/dimensions.md. It is turned into `dims` at ingest and never stored itself: `ip` and
 * `user_agent` in particular never reach Kafka or the logs.
 */
const contextSchema = z.strictObject({
  url: text("context.url", "id", MAX_URL_BYTES).optional(),
  referrer: text("context.referrer", "id", MAX_URL_BYTES).optional(),
  user_agent: text("context.user_agent", "id", MAX_USER_AGENT_BYTES).optional(),
  ip: z
    .string()
    .max(64)
    .refine((value) => isIP(value) !== 0, "context.ip must be an IPv4 or IPv6 address")
    .optional(),
  language: text("context.language", "id", 256).optional(),
  screen_width: z.number().int().min(0).max(100_000).optional(),
});
export type EventContext = z.infer<typeof contextSchema>;

/** The dimensions a stored event carries (made at ingest; an unknown value is left out). */
const dimsSchema = z.strictObject(
  Object.fromEntries(EVENT_DIMS.map((name) => [name, text(`dims.${name}`, "id", MAX_DIMENSION_BYTES, 1).optional()])) as Record<
    keyof EventDims,
    z.ZodOptional<ReturnType<typeof text>>
  >,
);

const BEFORE_1970 = "event_time must not be before 1970-01-01T00:00:00Z";
// Four-digit years from 1970 (a cheap check on the text; the parser checks the exact instant, offset included).
const YEAR_FROM_1970 = /^(?:19[7-9]\d|[2-9]\d{3})-/;

const eventTime = z.iso
  .datetime({ offset: true, message: "event_time must be ISO 8601 with a time zone offset" })
  .regex(YEAR_FROM_1970, BEFORE_1970);

/** One event as a client sends it (docs/api.md). Unknown fields are rejected, not dropped. */
const incomingEvent = z
  .strictObject(
    {
      event_type: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[a-z0-9_.:-]+$/, "event_type may contain only a-z, 0-9 and _ . : -"),
      user_id: text("user_id", "id", MAX_ID_BYTES, 1),
      session_id: text("session_id", "id", MAX_ID_BYTES, 1),
      page_path: text("page_path", "id", MAX_PAGE_PATH_BYTES).optional(),
      button_id: text("button_id", "id", MAX_BUTTON_ID_BYTES).optional(),
      // Where the visitor came from, as the first browser collector sent it; now context.referrer.
      // Still read from older log lines; ingest turns it into dims and does not store it.
      referrer: text("referrer", "id", MAX_PAGE_PATH_BYTES).optional(),
      context: contextSchema.optional(),
      props: propsSchema.optional(),
      event_id: z
        .uuid("event_id must be a UUID")
        .transform((id) => id.toLowerCase())
        .optional(),
      event_time: eventTime.optional(),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}: put custom data in "props"`
          : undefined,
    },
  )
  .superRefine((event, ctx) => {
    if (event.event_type === "button_clicked" && !event.button_id) {
      ctx.addIssue({ code: "custom", path: ["button_id"], message: "button_id is required for button_clicked" });
    }
    if (event.props !== undefined) {
      checkProps(event.props, [], 1, ctx);
      const bytes = Buffer.byteLength(JSON.stringify(event.props));
      if (bytes > MAX_PROPS_BYTES) {
        ctx.addIssue({
          code: "custom",
          path: ["props"],
          message: `props must be at most ${MAX_PROPS_BYTES} bytes when serialized (got ${bytes})`,
        });
      }
    }
  });

/**
 * The schemas are compiled (zod's ahead-of-time compiler: generated code, same definition, same
 * messages): about 0.4 µs per event instead of 1.5, which matters because the consumer and the ETL
 * check every line with them.
 */
export const incomingEventSchema = z.compile(incomingEvent);

export type IncomingEvent = z.infer<typeof incomingEventSchema>;

/**
 * An event as written to Kafka and to the JSON Lines log: the site it belongs to (from the key,
 * never from the body), then as received, plus event_id and event_time (UTC).
 */
export type StoredEvent = Omit<IncomingEvent, "event_id" | "event_time" | "context"> & {
  site_id: string;
  event_id: string;
  event_time: string;
  dims?: EventDims;
};

/** An event that passed the API's checks, before ingest turned its context into dims. */
export type ParsedEvent = StoredEvent & { context?: EventContext };

/** An event as a client sends it with its own event_id and event_time (the simulator, SDKs): no site. */
export type ClientEvent = Omit<StoredEvent, "site_id">;

/**
 * What the consumer accepts from Kafka and the ETL accepts from a log line: the same rules as
 * the API (one definition), with the server-made event_id and UTC event_time required. site_id is
 * absent only from events written before sites existed; they belong to the default site
 * (src/core/sites/defaultSite.ts), which the consumer and the ETL fill in.
 */
export const storedEventSchema = z.compile(
  incomingEvent.safeExtend({
    site_id: z.uuid().optional(),
    dims: dimsSchema.optional(),
    event_id: z.uuid(),
    // Always UTC ("…Z") in storage, so the year check on the text is exact.
    event_time: z.iso.datetime().regex(YEAR_FROM_1970, BEFORE_1970),
  }),
);
