import { isoDateToMs, MAX_RANGE_DAYS, toIsoDate } from "@/core/analytics/range";
import type { DateRange } from "@/core/analytics/types";
import { todayIn } from "@/core/metrics/dates";

const DAY_MS = 86_400_000;

export const PRESETS = [
  { id: "7d", days: 7, label: "7 days", long: "Last 7 days" },
  { id: "30d", days: 30, label: "30 days", long: "Last 30 days" },
  { id: "90d", days: 90, label: "90 days", long: "Last 90 days" },
] as const;

export type PresetId = (typeof PRESETS)[number]["id"];

/** What the URL says: a preset (relative to today, so a shared link stays "last N days") or fixed dates. */
export type RangeSelection = { kind: "preset"; preset: PresetId } | { kind: "custom"; from: string; to: string };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date in the site's time zone (a site's dates are days in its zone, src/core/metrics/dates.ts). */
export function todayInZone(timeZone: string, now: number = Date.now()): string {
  return todayIn(timeZone, now);
}

/** The query parameters a range selection is written in. */
export const RANGE_PARAMS = ["from", "to", "period"] as const;

/** ?period=30d, or ?from=YYYY-MM-DD&to=YYYY-MM-DD; anything else is the default (last 7 days). */
export function selectionFromParams(params: URLSearchParams): RangeSelection {
  const from = params.get("from");
  const to = params.get("to");
  if (from && to && ISO_DATE.test(from) && ISO_DATE.test(to)) return { kind: "custom", from, to };
  const period = params.get("period");
  const preset = PRESETS.find((p) => p.id === period);
  return { kind: "preset", preset: preset?.id ?? "7d" };
}

export function selectionToParams(selection: RangeSelection): URLSearchParams {
  const params = new URLSearchParams();
  if (selection.kind === "custom") {
    params.set("from", selection.from);
    params.set("to", selection.to);
  } else if (selection.preset !== "7d") {
    params.set("period", selection.preset);
  }
  return params;
}

/** The inclusive dates, days of the site's time zone, a selection stands for today. */
export function selectionToRange(selection: RangeSelection, timeZone: string, now: number = Date.now()): DateRange {
  if (selection.kind === "custom") return { from: selection.from, to: selection.to };
  const days = PRESETS.find((p) => p.id === selection.preset)!.days;
  const to = todayInZone(timeZone, now);
  return { from: toIsoDate(isoDateToMs(to) - (days - 1) * DAY_MS), to };
}

/** Every date of the range, oldest first (for charts that should show days without data as 0). */
export function datesInRange(range: DateRange): string[] {
  const out: string[] = [];
  const end = isoDateToMs(range.to);
  for (let t = isoDateToMs(range.from); t <= end && out.length <= MAX_RANGE_DAYS; t += DAY_MS) out.push(toIsoDate(t));
  return out;
}

export function validateCustomRange(from: string, to: string): string | null {
  if (!ISO_DATE.test(from) || !ISO_DATE.test(to)) return "Choose both a start and an end date.";
  if (from > to) return "The start date must not be after the end date.";
  const days = Math.round((isoDateToMs(to) - isoDateToMs(from)) / DAY_MS) + 1;
  if (days > MAX_RANGE_DAYS) return `A range may cover at most ${MAX_RANGE_DAYS} days.`;
  return null;
}
