import { Prisma } from "../../generated/prisma/client";
import { getPrisma } from "../db/client";
import { dateIn } from "../metrics/dates";
import type { AlertCondition, AlertMetric, AlertWindow } from "./definitions";
import type { AlertRuleRecord } from "./rules";

/**
 * Checks a site's rules against its facts after an ETL pass (docs/alerts.md). Figures are those of
 * the sessions that started in the window, as every dashboard figure is attributed to the start
 * of its session (docs/metrics.md): an hour is a UTC hour of session_facts.start_time, a day a
 * date of the site's zone (session_facts.date). Each rule looks at the window in progress and the
 * last complete one; "below" and "drop" wait until a window is complete (a window in progress is
 * always low). A firing is written once per rule and window (unique key), so checking again never
 * fires again.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEKS = 4;

/** A window: an hour from its start instant, or a date of the site's zone (keyed by that date at 00:00 UTC). */
export interface AlertWindowRef {
  kind: AlertWindow;
  start: Date;
  complete: boolean;
}

export interface NewFiring {
  firingId: number;
  rule: AlertRuleRecord;
  window: AlertWindowRef;
  value: number;
  baseline: number | null;
}

function windowsToCheck(kind: AlertWindow, timeZone: string, now: number): AlertWindowRef[] {
  if (kind === "hour") {
    const current = Math.floor(now / HOUR_MS) * HOUR_MS;
    return [
      { kind, start: new Date(current - HOUR_MS), complete: true },
      { kind, start: new Date(current), complete: false },
    ];
  }
  const today = Date.parse(`${dateIn(timeZone)(now)}T00:00:00Z`);
  return [
    { kind, start: new Date(today - DAY_MS), complete: true },
    { kind, start: new Date(today), complete: false },
  ];
}

function shifted(window: AlertWindowRef, days: number): AlertWindowRef {
  return { ...window, start: new Date(window.start.getTime() - days * DAY_MS) };
}

function windowSql(window: AlertWindowRef): Prisma.Sql {
  if (window.kind === "day") return Prisma.sql`f.date = ${window.start.toISOString().slice(0, 10)}::date`;
  // The date bounds (a day either side: the site's zone) let PostgreSQL use the (site_id, date) index.
  const day = Date.parse(`${window.start.toISOString().slice(0, 10)}T00:00:00Z`);
  const dates = Prisma.sql`f.date BETWEEN ${new Date(day - DAY_MS).toISOString().slice(0, 10)}::date AND ${new Date(day + DAY_MS).toISOString().slice(0, 10)}::date`;
  return Prisma.sql`${dates} AND f.start_time >= ${window.start} AND f.start_time < ${new Date(window.start.getTime() + HOUR_MS)}`;
}

/** The rule's metric over one window; null when it has no value (a bounce rate without sessions). */
export async function metricValue(
  siteId: string,
  metric: AlertMetric,
  eventType: string | null,
  window: AlertWindowRef,
): Promise<number | null> {
  const sessions = Prisma.sql`FROM session_facts f WHERE f.site_id = ${siteId}::uuid AND ${windowSql(window)}`;
  const select: Record<Exclude<AlertMetric, "custom_event">, Prisma.Sql> = {
    sessions: Prisma.sql`SELECT count(*)::float8 AS value ${sessions}`,
    visitors: Prisma.sql`SELECT count(DISTINCT f.user_id)::float8 AS value ${sessions}`,
    page_views: Prisma.sql`SELECT coalesce(sum(f.page_views), 0)::float8 AS value ${sessions}`,
    bounce_rate: Prisma.sql`SELECT (100.0 * count(*) FILTER (WHERE f.page_views <= 1) / nullif(count(*), 0))::float8 AS value ${sessions}`,
  };
  const sql =
    metric === "custom_event"
      ? Prisma.sql`SELECT coalesce(sum(e.count), 0)::float8 AS value FROM event_facts e
          JOIN session_facts f ON f.site_id = e.site_id AND f.session_id = e.session_id
          WHERE e.site_id = ${siteId}::uuid AND e.event_type = ${eventType ?? ""} AND ${windowSql(window)}`
      : select[metric];
  const [row] = await getPrisma().$queryRaw<Array<{ value: number | null }>>(sql);
  return row?.value ?? null;
}

/** Whether a value meets the condition (rise and drop against a baseline above zero). */
export function meets(condition: AlertCondition, threshold: number, value: number, baseline: number | null): boolean {
  switch (condition) {
    case "above":
      return value > threshold;
    case "below":
      return value < threshold;
    case "rise":
      return baseline !== null && baseline > 0 && value >= baseline * (1 + threshold / 100);
    case "drop":
      return baseline !== null && baseline > 0 && value <= baseline * (1 - threshold / 100);
  }
}

/** Checks the enabled rules of the given sites (all when omitted) at `now`; returns the firings it wrote. */
export async function evaluateAlertRules(siteIds?: readonly string[], now = Date.now()): Promise<NewFiring[]> {
  const prisma = getPrisma();
  const rules = await prisma.alertRule.findMany({
    where: { enabled: true, ...(siteIds ? { siteId: { in: [...siteIds] } } : {}) },
    include: { site: { select: { timeZone: true } } },
  });
  const fired: NewFiring[] = [];
  for (const { site, ...row } of rules) {
    const rule = row as AlertRuleRecord;
    for (const window of windowsToCheck(rule.window, site.timeZone, now)) {
      const waits = rule.condition === "below" || rule.condition === "drop";
      if (waits && !window.complete) continue;
      const value = await metricValue(rule.siteId, rule.metric, rule.eventType, window);
      if (value === null) continue;
      let baseline: number | null = null;
      if (rule.condition === "rise" || rule.condition === "drop") {
        const past = await Promise.all(
          Array.from({ length: WEEKS }, (_, i) => metricValue(rule.siteId, rule.metric, rule.eventType, shifted(window, 7 * (i + 1)))),
        );
        baseline = past.reduce<number>((sum, v) => sum + (v ?? 0), 0) / WEEKS;
      }
      if (!meets(rule.condition, rule.threshold, value, baseline)) continue;
      const inserted = await prisma.$queryRaw<Array<{ id: number }>>(Prisma.sql`
        INSERT INTO alert_firings (rule_id, window_start, value, baseline) VALUES (${rule.id}::uuid, ${window.start}, ${value}, ${baseline})
        ON CONFLICT (rule_id, window_start) DO NOTHING RETURNING id`);
      if (inserted[0]) fired.push({ firingId: inserted[0].id, rule, window, value, baseline });
    }
  }
  return fired;
}
