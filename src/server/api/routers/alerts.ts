import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { alertRuleInputSchema } from "@/core/alerts/definitions";
import {
  createAlertRule,
  deleteAlertRule,
  listAlertFirings,
  listAlertRules,
  updateAlertRule,
  type AlertRuleRecord,
} from "@/core/alerts/rules";
import { getConfig } from "@/core/config";
import { createTRPCRouter, siteEditorProcedure, siteProcedure } from "@/server/api/trpc";

/** What the page shows of a rule: everything but its signing secret, which only editors see. */
const publicRule = ({ secret: _secret, ...rule }: AlertRuleRecord) => rule;

/** A site's alert rules and their history (docs/alerts.md), thin over src/core/alerts/rules.ts. */
export const alertsRouter = createTRPCRouter({
  /** Every member sees the rules and what fired; whether mail can go out at all. */
  list: siteProcedure.query(async ({ ctx }) => ({
    rules: (await listAlertRules(ctx.site.id)).map(publicRule),
    firings: await listAlertFirings(ctx.site.id),
    mailConfigured: Boolean(getConfig().mail.smtp_url),
  })),

  /** The rule with its secret, to verify webhook signatures (X-Pulse-Signature). */
  secret: siteEditorProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const rule = (await listAlertRules(ctx.site.id)).find((r) => r.id === input.id);
    if (!rule) throw new TRPCError({ code: "NOT_FOUND", message: "No alert rule with that id." });
    return { secret: rule.secret };
  }),

  create: siteEditorProcedure.input(z.object({ rule: alertRuleInputSchema })).mutation(async ({ ctx, input }) => {
    return publicRule(await createAlertRule(ctx.site.id, input.rule));
  }),

  update: siteEditorProcedure.input(z.object({ id: z.uuid(), rule: alertRuleInputSchema })).mutation(async ({ ctx, input }) => {
    const rule = await updateAlertRule(ctx.site.id, input.id, input.rule);
    if (!rule) throw new TRPCError({ code: "NOT_FOUND", message: "No alert rule with that id." });
    return publicRule(rule);
  }),

  delete: siteEditorProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    if (!(await deleteAlertRule(ctx.site.id, input.id))) throw new TRPCError({ code: "NOT_FOUND", message: "No alert rule with that id." });
    return { deleted: true };
  }),
});
