import type { MetricEvent } from "./session";

/** Builds fixture events tersely: minutes after a base time, with stable ids. */
export function fixtureEvents(
  base: string,
  userId: string,
  rows: Array<[minutes: number, type: string, pagePath?: string, buttonId?: string]>,
  idPrefix = "e",
): MetricEvent[] {
  const start = Date.parse(base);
  return rows.map(([minutes, type, pagePath, buttonId], i) => ({
    eventId: `${idPrefix}${String(i).padStart(3, "0")}`,
    type,
    userId,
    time: start + minutes * 60_000,
    pagePath,
    buttonId,
  }));
}
