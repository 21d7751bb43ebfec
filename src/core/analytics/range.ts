import { z } from "zod";
import { todayIn } from "../metrics/dates";
import type { DateRange } from "./types";

const DAY_MS = 86_400_000;
/** Longest range one request may ask for; keeps a typo like from=1970-01-01 from scanning everything. */
export const MAX_RANGE_DAYS = 731;
export const DEFAULT_RANGE_DAYS = 7;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
    message: "is not a real calendar date",
  });

export const rangeInputSchema = z.object({
  from: isoDate.optional(),
  to: isoDate.optional(),
});
export type RangeInput = z.infer<typeof rangeInputSchema>;

export function toIsoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isoDateToMs(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`);
}

export class InvalidRangeError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "InvalidRangeError";
  }
}

/**
 * Turns optional from/to (inclusive dates of the site's time zone) into a range: by default the
 * last DEFAULT_RANGE_DAYS days including today (today in that zone); `from` alone runs to today;
 * `to` alone covers the DEFAULT_RANGE_DAYS days ending then.
 */
export function resolveRange(input: RangeInput, timeZone = "UTC", now: number = Date.now()): DateRange {
  const parsed = rangeInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidRangeError(`${issue.path.join(".")} ${issue.message}`, issue.path.join("."));
  }
  const today = todayIn(timeZone, now);
  const to = parsed.data.to ?? (parsed.data.from && parsed.data.from > today ? parsed.data.from : today);
  const from = parsed.data.from ?? toIsoDate(isoDateToMs(to) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS);
  if (from > to) throw new InvalidRangeError("from must not be after to", "from");
  if (rangeDays({ from, to }) > MAX_RANGE_DAYS) {
    throw new InvalidRangeError(`a range may cover at most ${MAX_RANGE_DAYS} days`, "from");
  }
  return { from, to };
}

/** Number of days in an inclusive range. */
export function rangeDays(range: DateRange): number {
  return Math.round((isoDateToMs(range.to) - isoDateToMs(range.from)) / DAY_MS) + 1;
}
