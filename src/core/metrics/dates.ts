const DAY_MS = 86_400_000;
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
