import { createHmac } from "node:crypto";
import { getConfig, type AppConfig } from "../config";
import { getPrisma } from "../db/client";
import { escapeHtml, sendMail } from "../mail";
import { METRIC_LABELS } from "./definitions";
import type { AlertRuleRecord } from "./rules";

/**
 * Delivery of a firing (docs/alerts.md): an email to the rule's addresses through mail.smtp_url,
 * and a POST of Slack-compatible JSON to its webhook, signed with the rule's secret:
 * `X-Pulse-Signature: sha256=<hex HMAC-SHA256 of the body>`. Each channel's outcome is kept on the
 * firing, so a retry (the BullMQ job's next attempt) sends only what has not gone out yet.
 */

const WEBHOOK_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = "x-pulse-signature";

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface FiringMessage {
  rule: AlertRuleRecord;
  siteName: string;
  windowStart: Date;
  value: number;
  baseline: number | null;
  dashboardUrl: string;
}

const CONDITION_TEXT = {
  above: (t: number) => `above ${t}`,
  below: (t: number) => `below ${t}`,
  rise: (t: number) => `up ${t}% or more on the last 4 weeks`,
  drop: (t: number) => `down ${t}% or more on the last 4 weeks`,
} as const;

const round = (v: number) => Math.round(v * 100) / 100;

function windowText(rule: AlertRuleRecord, start: Date): string {
  const iso = start.toISOString();
  return rule.window === "day" ? `on ${iso.slice(0, 10)}` : `in the hour from ${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** One line saying what happened, for the email's subject and the webhook's text. */
export function summaryLine(m: FiringMessage): string {
  const metric = m.rule.metric === "custom_event" ? `"${m.rule.eventType}" events` : METRIC_LABELS[m.rule.metric].toLowerCase();
  const against = m.baseline === null ? "" : ` (4-week mean ${round(m.baseline)})`;
  return `${m.siteName}: ${metric} ${round(m.value)} ${windowText(m.rule, m.windowStart)}${against}, ${CONDITION_TEXT[m.rule.condition](m.rule.threshold)}`;
}

export function webhookBody(m: FiringMessage): string {
  return JSON.stringify({
    text: `Pulse alert "${m.rule.name}": ${summaryLine(m)}. ${m.dashboardUrl}`,
    pulse: {
      rule_id: m.rule.id,
      rule: m.rule.name,
      site_id: m.rule.siteId,
      site: m.siteName,
      metric: m.rule.metric,
      event_type: m.rule.eventType,
      window: m.rule.window,
      window_start: m.windowStart.toISOString(),
      value: m.value,
      baseline: m.baseline,
      condition: m.rule.condition,
      threshold: m.rule.threshold,
      dashboard: m.dashboardUrl,
    },
  });
}

async function postWebhook(url: string, secret: string, body: string): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature(secret, body), "user-agent": "Pulse-Alerts" },
    body,
    redirect: "error",
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`webhook answered ${res.status}`);
}

function sendEmail(config: AppConfig, to: string[], m: FiringMessage): Promise<void> {
  const line = summaryLine(m);
  return sendMail(config, {
    to,
    subject: `Pulse alert: ${m.rule.name}`,
    text: `${line}.\n\nRule: ${m.rule.name}\nDashboard: ${m.dashboardUrl}\n`,
    html: `<p>${escapeHtml(line)}.</p><p>Rule: <strong>${escapeHtml(m.rule.name)}</strong></p><p><a href="${escapeHtml(m.dashboardUrl)}">Open the dashboard</a></p>`,
  });
}

/**
 * Delivers a firing on each channel not yet sent, and records the outcomes. Throws when a channel
 * failed, so the job is tried again (with backoff) for that channel only.
 */
export async function deliverFiring(firingId: number, config: AppConfig = getConfig()): Promise<{ email: string; webhook: string }> {
  const prisma = getPrisma();
  const firing = await prisma.alertFiring.findUnique({ where: { id: firingId }, include: { rule: { include: { site: true } } } });
  if (!firing) return { email: "skipped: firing deleted", webhook: "skipped: firing deleted" };
  const { site, ...rule } = firing.rule;
  const message: FiringMessage = {
    rule: rule as AlertRuleRecord,
    siteName: site.name,
    windowStart: firing.windowStart,
    value: firing.value,
    baseline: firing.baseline,
    dashboardUrl: `${config.app.base_url.replace(/\/$/, "")}/s/${site.id}`,
  };
  const attempt = async (status: string, skip: string | null, send: () => Promise<void>): Promise<string> => {
    if (status === "sent" || status.startsWith("skipped")) return status;
    if (skip) return `skipped: ${skip}`;
    try {
      await send();
      return "sent";
    } catch (err) {
      return `failed: ${(err as Error).message}`.slice(0, 500);
    }
  };
  const email = await attempt(
    firing.emailStatus,
    rule.emails.length === 0 ? "no addresses" : config.mail.smtp_url ? null : "no SMTP server configured (mail.smtp_url)",
    () => sendEmail(config, rule.emails, message),
  );
  const webhook = await attempt(firing.webhookStatus, rule.webhookUrl ? null : "no webhook", () =>
    postWebhook(rule.webhookUrl!, rule.secret, webhookBody(message)),
  );
  await prisma.alertFiring.update({ where: { id: firingId }, data: { emailStatus: email, webhookStatus: webhook } });
  if (email.startsWith("failed") || webhook.startsWith("failed"))
    throw new Error(`alert delivery failed: email ${email}; webhook ${webhook}`);
  return { email, webhook };
}
