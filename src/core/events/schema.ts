import { z } from "zod";

export const BUILT_IN_EVENT_TYPES = [
  "session_created",
  "page_visited",
  "button_clicked",
  "page_closed",
  "session_ended",
] as const;
export type BuiltInEventType = (typeof BUILT_IN_EVENT_TYPES)[number];

export const MAX_PROPS_BYTES = 8 * 1024;

const propsSchema = z
  .record(z.string(), z.unknown())
  .refine((props) => Buffer.byteLength(JSON.stringify(props)) <= MAX_PROPS_BYTES, {
    message: `props must be at most ${MAX_PROPS_BYTES} bytes when serialized`,
  });

/** One event as a client sends it (SPEC §2). Unknown fields are rejected, not dropped. */
export const incomingEventSchema = z
  .strictObject(
    {
      event_type: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[a-z0-9_.:-]+$/, "event_type may contain only a-z, 0-9 and _ . : -"),
      user_id: z.string().min(1).max(256),
      session_id: z.string().min(1).max(256),
      page_path: z.string().max(2048).optional(),
      button_id: z.string().max(256).optional(),
      props: propsSchema.optional(),
      event_id: z.uuid("event_id must be a UUID").transform((id) => id.toLowerCase()).optional(),
      event_time: z.iso.datetime({ offset: true, message: "event_time must be ISO 8601 with a time zone offset" }).optional(),
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
  });

export type IncomingEvent = z.infer<typeof incomingEventSchema>;

/** An event as written to Kafka and to the JSON Lines log: as received, plus event_id and event_time (UTC). */
export type StoredEvent = Omit<IncomingEvent, "event_id" | "event_time"> & {
  event_id: string;
  event_time: string;
};

export const storedEventSchema = incomingEventSchema.safeExtend({
  event_id: z.uuid(),
  event_time: z.iso.datetime(),
});
