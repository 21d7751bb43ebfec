import { z } from "zod";
import { emailSchema } from "../auth/email";

/**
 * What an alert rule may say (docs/alerts.md): one definition for the tRPC procedures, the
 * evaluation, the page's form (so no database code here: the browser bundle imports it) and the tests.
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
