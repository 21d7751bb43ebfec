const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const dayNames = new Map<number, string>();

/** UTC date (YYYY-MM-DD) of a time in ms; cached per day because the ETL calls it for every event. */
export function utcDate(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayNames.set(day, name);
  }
  return name;
}

/** The calendar date of an instant in some time zone. */
export type DateOf = (ms: number) => string;

const zoned = new Map<string, DateOf>();

/**
 * The date function of an IANA time zone (docs/metrics.md: a site's dates are days in its zone).
 * Cached per minute of time: every zone's offsets since 1972 are whole minutes, so all instants of
 * one minute share a date, and the ETL asks for thousands of events per minute.
 */
export function dateIn(timeZone: string): DateOf {
  if (timeZone === "UTC" || timeZone === "Etc/UTC") return utcDate;
  let fn = zoned.get(timeZone);
  if (!fn) {
    const format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    const byMinute = new Map<number, string>();
    fn = (ms: number): string => {
      const minute = Math.floor(ms / MINUTE_MS);
      let name = byMinute.get(minute);
      if (name === undefined) {
        const parts = format.formatToParts(minute * MINUTE_MS);
        const part = (type: string) => parts.find((p) => p.type === type)!.value;
        name = `${part("year")}-${part("month")}-${part("day")}`;
        byMinute.set(minute, name);
      }
      return name;
    };
    zoned.set(timeZone, fn);
  }
  return fn;
}

/** Today's date in a time zone. */
export function todayIn(timeZone: string, now = Date.now()): string {
  return dateIn(timeZone)(now);
}
