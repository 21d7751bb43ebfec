import type { DateRange } from "../analytics/types";
import { dateIn } from "../metrics/dates";

/** A report's period (docs/reports.md): the last complete week (Monday to Sunday) or month in the site's zone. */
export type ReportFrequency = "weekly" | "monthly";
export const REPORT_FREQUENCIES: readonly ReportFrequency[] = ["weekly", "monthly"];

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** The last complete period before `now` in the zone, and the one before it (for the changes). */
export function reportPeriods(frequency: ReportFrequency, timeZone: string, now = Date.now()): { current: DateRange; previous: DateRange } {
  const today = dayMs(dateIn(timeZone)(now));
  if (frequency === "weekly") {
    // getUTCDay of a date at 00:00Z is that date's weekday: 0 Sunday … 6 Saturday.
    const sinceMonday = (new Date(today).getUTCDay() + 6) % 7;
    const thisMonday = today - sinceMonday * DAY_MS;
    const current = { from: iso(thisMonday - 7 * DAY_MS), to: iso(thisMonday - DAY_MS) };
    const previous = { from: iso(thisMonday - 14 * DAY_MS), to: iso(thisMonday - 8 * DAY_MS) };
    return { current, previous };
  }
  const d = new Date(today);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const lastMonthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
  const monthBeforeStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 2, 1);
  return {
    current: { from: iso(lastMonthStart), to: iso(monthStart - DAY_MS) },
    previous: { from: iso(monthBeforeStart), to: iso(lastMonthStart - DAY_MS) },
  };
}

export const periodKey = (range: DateRange): string => `${range.from}..${range.to}`;
