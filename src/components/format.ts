/** Number and time formatting shared by the dashboard (en-US grouping, UTC dates). */

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export function formatInteger(n: number): string {
  return integer.format(n);
}

export function formatDecimal(n: number): string {
  return decimal.format(n);
}

export function formatPercent(n: number | null): string {
  return n === null ? "–" : `${decimal.format(n)}%`;
}

/** 0 → "0s", 60 → "1m", 75.5 → "1m 16s", 3725 → "1h 2m 5s". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "–";
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [h > 0 ? `${h}h` : "", h > 0 || m > 0 ? `${m}m` : "", s > 0 || (h === 0 && m === 0) ? `${s}s` : ""];
  return parts.filter(Boolean).join(" ").replace(/ 0m$/, "");
}

/** A measured run time: 240 → "0.24 s", 3400 → "3.4 s", 75000 → "1m 15s". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms / 1000);
}

/** "2026-01-05" → "Jan 5" (the date is a UTC calendar day, so it is formatted in UTC). */
export function formatDay(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  return d.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

export function formatDayLong(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  return d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "–";
  const d = typeof value === "string" ? new Date(value) : value;
  return d.toLocaleString("en-US", { month: "short", day: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** "Nov 28, 15:06" (local time, 24 h): short enough for a status line. */
export function formatShortDateTime(value: Date | string | null | undefined): string {
  if (!value) return "–";
  const d = typeof value === "string" ? new Date(value) : value;
  return d.toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** "just now", "3 min ago", "in 4 min", "2 h ago", "5 days ago". */
export function formatRelative(value: Date | string | null | undefined, now: number = Date.now()): string {
  if (!value) return "never";
  const t = (typeof value === "string" ? new Date(value) : value).getTime();
  const diff = Math.round((t - now) / 1000);
  const abs = Math.abs(diff);
  let text: string;
  if (abs < 45) return diff > 0 ? "in a few seconds" : "just now";
  if (abs < 3600) text = `${Math.round(abs / 60)} min`;
  else if (abs < 86_400) text = `${Math.round(abs / 3600)} h`;
  else {
    const days = Math.round(abs / 86_400);
    text = `${days} day${days === 1 ? "" : "s"}`;
  }
  return diff > 0 ? `in ${text}` : `${text} ago`;
}
