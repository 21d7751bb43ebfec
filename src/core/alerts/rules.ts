import { randomBytes } from "node:crypto";
import { z } from "zod";
import { emailSchema } from "../auth/email";
import { getPrisma } from "../db/client";

/**
 * Alert rules (docs/alerts.md): one definition of what a rule may say, used by the tRPC
 * procedures, the evaluation and the tests.
 */
export const ALERT_METRICS = ["visitors", "page_views", "sessions", "bounce_rate", "custom_event"] as const;
export const ALERT_WINDOWS = ["hour", "day"] as const;
/** above/below a value; rise/drop: a % change against the mean of the same window in the last 4 weeks. */
export const ALERT_CONDITIONS = ["above", "below", "rise", "drop"] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];
export type AlertWindow = (typeof ALERT_WINDOWS)[number];
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

export const METRIC_LABELS: Record<AlertMetric, string> = {
  visitors: "Visitors",
  page_views: "Page views",
  sessions: "Sessions",
  bounce_rate: "Bounce rate (%)",
  custom_event: "Custom event count",
};

const MAX_EMAILS = 10;

export const alertRuleInputSchema = z
  .object({
    name: z.string().trim().min(1, "Give the rule a name").max(100, "At most 100 characters"),
    metric: z.enum(ALERT_METRICS),
    eventType: z
      .string()
      .max(64)
      .regex(/^[a-z0-9_.:-]+$/, "an event type has only a-z, 0-9 and _ . : -")
      .optional(),
    window: z.enum(ALERT_WINDOWS),
    condition: z.enum(ALERT_CONDITIONS),
    threshold: z.number().finite().min(0, "must be 0 or more").max(1e12),
    emails: z.array(emailSchema).max(MAX_EMAILS, `at most ${MAX_EMAILS} addresses`).default([]),
    // Only http(s): the worker POSTs to it (docs/alerts.md says who may set it, and why).
    webhookUrl: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .max(2000)
      .optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    if (rule.metric === "custom_event" && !rule.eventType) {
      ctx.addIssue({ code: "custom", path: ["eventType"], message: "name the custom event to count" });
    }
    if (rule.metric === "bounce_rate" && (rule.condition === "above" || rule.condition === "below") && rule.threshold > 100) {
      ctx.addIssue({ code: "custom", path: ["threshold"], message: "a bounce rate is a percentage, 0 to 100" });
    }
    if (rule.emails.length === 0 && !rule.webhookUrl) {
      ctx.addIssue({ code: "custom", path: ["emails"], message: "deliver to at least one email address or a webhook" });
    }
  });

export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;

export interface AlertRuleRecord {
  id: string;
  siteId: string;
  name: string;
  metric: AlertMetric;
  eventType: string | null;
  window: AlertWindow;
  condition: AlertCondition;
  threshold: number;
  emails: string[];
  webhookUrl: string | null;
  secret: string;
  enabled: boolean;
  createdAt: Date;
}

const select = {
  id: true,
  siteId: true,
  name: true,
  metric: true,
  eventType: true,
  window: true,
  condition: true,
  threshold: true,
  emails: true,
  webhookUrl: true,
  secret: true,
  enabled: true,
  createdAt: true,
} as const;

const toRecord = (r: { metric: string; window: string; condition: string } & Omit<AlertRuleRecord, "metric" | "window" | "condition">) =>
  r as AlertRuleRecord;

export async function createAlertRule(siteId: string, input: AlertRuleInput): Promise<AlertRuleRecord> {
  const data = alertRuleInputSchema.parse(input);
  const rule = await getPrisma().alertRule.create({
    data: { ...data, eventType: data.metric === "custom_event" ? data.eventType : null, siteId, secret: randomBytes(24).toString("hex") },
    select,
  });
  return toRecord(rule);
}

export async function updateAlertRule(siteId: string, id: string, input: AlertRuleInput): Promise<AlertRuleRecord | null> {
  const data = alertRuleInputSchema.parse(input);
  const { count } = await getPrisma().alertRule.updateMany({
    where: { id, siteId },
    data: { ...data, eventType: data.metric === "custom_event" ? data.eventType : null, webhookUrl: data.webhookUrl ?? null },
  });
  if (count === 0) return null;
  return toRecord(await getPrisma().alertRule.findUniqueOrThrow({ where: { id }, select }));
}

export async function deleteAlertRule(siteId: string, id: string): Promise<boolean> {
  const { count } = await getPrisma().alertRule.deleteMany({ where: { id, siteId } });
  return count > 0;
}

export async function listAlertRules(siteId: string): Promise<AlertRuleRecord[]> {
  return (await getPrisma().alertRule.findMany({ where: { siteId }, select, orderBy: { createdAt: "asc" } })).map(toRecord);
}

export interface AlertFiringRecord {
  id: number;
  ruleId: string;
  ruleName: string;
  windowStart: Date;
  value: number;
  baseline: number | null;
  firedAt: Date;
  emailStatus: string;
  webhookStatus: string;
}

/** A site's most recent firings, newest first. */
export async function listAlertFirings(siteId: string, take = 50): Promise<AlertFiringRecord[]> {
  const rows = await getPrisma().alertFiring.findMany({
    where: { rule: { siteId } },
    orderBy: { firedAt: "desc" },
    take,
    include: { rule: { select: { name: true } } },
  });
  return rows.map(({ rule, ...f }) => ({ ...f, ruleName: rule.name }));
}
