import { randomUUID } from "node:crypto";
import { incomingEventSchema, MIN_EVENT_TIME_MS, type ParsedEvent } from "./schema";

export interface EventIssue {
  path: string;
  message: string;
}

/** Checked events, still with their context: the enrich stage (src/core/dimensions/attach.ts) makes them stored events. */
export type ParseResult = { ok: true; events: ParsedEvent[] } | { ok: false; issues: EventIssue[] };

export interface ParseOptions {
  /** The site of the key the events came with; stamped on every event. */
  siteId: string;
  maxBatch: number;
  maxFutureSeconds: number;
  /** event_time older than this many days is refused, unless backfill is allowed. */
  maxPastDays: number;
  /** With the key's backfill scope: how far back event_time may go. */
  maxBackfillDays: number;
  /** Whether the key has the backfill scope. */
  backfill?: boolean;
  now?: number;
}

const DAY_MS = 86_400_000;

/** Why a client's event_time is out of bounds (docs/api.md, event_time), or undefined. */
function timeProblem(time: number, now: number, options: ParseOptions): string | undefined {
  if (time < MIN_EVENT_TIME_MS) return "event_time must not be before 1970-01-01T00:00:00Z";
  if (time > now + options.maxFutureSeconds * 1000) return `event_time is more than ${options.maxFutureSeconds} seconds in the future`;
  if (options.backfill) {
    if (time < now - options.maxBackfillDays * DAY_MS) return `event_time is more than ${options.maxBackfillDays} days in the past`;
  } else if (time < now - options.maxPastDays * DAY_MS) {
    return `event_time is more than ${options.maxPastDays} days in the past; older events need a key with the backfill scope (up to ${options.maxBackfillDays} days)`;
  }
  return undefined;
}

/** "events[2].props.a" style paths, as the API reports them. */
export function formatPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    prefix,
  );
}

/** One line saying why a stored event was refused (consumer dead letters, ETL quarantine). */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, max = 3): string {
  return issues
    .slice(0, max)
    .map((i) => `${formatPath("", i.path) || "(root)"}: ${i.message}`)
    .join("; ");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates one event or a `{"events": [...]}` batch and stamps each with event_id and a UTC event_time.
 * A batch is all-or-nothing: any issue rejects the whole body.
 */
export function parseIngestBody(body: unknown, options: ParseOptions): ParseResult {
  const now = options.now ?? Date.now();
  let items: unknown[];
  let prefix: (index: number) => string;
  if (isPlainObject(body) && "events" in body) {
    const extra = Object.keys(body).filter((k) => k !== "events");
    if (extra.length > 0) {
      return { ok: false, issues: [{ path: extra[0]!, message: 'a batch body has only the field "events"' }] };
    }
    if (!Array.isArray(body.events)) {
      return { ok: false, issues: [{ path: "events", message: "events must be an array" }] };
    }
    if (body.events.length < 1 || body.events.length > options.maxBatch) {
      return {
        ok: false,
        issues: [{ path: "events", message: `a batch holds 1 to ${options.maxBatch} events, got ${body.events.length}` }],
      };
    }
    items = body.events;
    prefix = (i) => `events[${i}]`;
  } else if (isPlainObject(body)) {
    items = [body];
    prefix = () => "";
  } else {
    return { ok: false, issues: [{ path: "", message: 'body must be an event object or {"events": [...]}' }] };
  }

  const issues: EventIssue[] = [];
  const events: ParsedEvent[] = [];
  const nowIso = new Date(now).toISOString();
  items.forEach((item, index) => {
    const result = incomingEventSchema.safeParse(item);
    if (!result.success) {
      for (const issue of result.error.issues) {
        if (issue.code === "unrecognized_keys") {
          // One issue per unknown field, at that field, so clients can point at it.
          for (const key of issue.keys) {
            issues.push({
              path: formatPath(prefix(index), [...issue.path, key]),
              message: `unknown field "${key}": put custom data in "props"`,
            });
          }
          continue;
        }
        const field = issue.path.length === 1 ? issue.path[0] : undefined;
        const missing = issue.code === "invalid_type" && typeof field === "string" && isPlainObject(item) && item[field] === undefined;
        issues.push({
          path: formatPath(prefix(index), issue.path),
          message: missing ? `${field} is required` : issue.message,
        });
      }
      return;
    }
    const { event_id, event_time, ...rest } = result.data;
    let iso = nowIso;
    if (event_time !== undefined) {
      const time = Date.parse(event_time);
      iso = new Date(time).toISOString();
      const problem = timeProblem(time, now, options);
      if (problem) {
        issues.push({ path: formatPath(prefix(index), ["event_time"]), message: problem });
        return;
      }
    }
    events.push({ site_id: options.siteId, ...rest, event_id: event_id ?? randomUUID(), event_time: iso });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, events };
}
