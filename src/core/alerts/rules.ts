import { randomBytes } from "node:crypto";
import { getPrisma } from "../db/client";
import { alertRuleInputSchema, type AlertCondition, type AlertMetric, type AlertRuleInput, type AlertWindow } from "./definitions";

/** Alert rules and firings in PostgreSQL (docs/alerts.md); what a rule may say is in ./definitions.ts. */
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
