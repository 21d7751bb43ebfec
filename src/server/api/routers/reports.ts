import { z } from "zod";
import { getConfig } from "@/core/config";
import { REPORT_FREQUENCIES, type ReportFrequency } from "@/core/reports/periods";
import { reportsOf, setReport } from "@/core/reports/subscriptions";
import { createTRPCRouter, siteProcedure } from "@/server/api/trpc";

/** The signed-in member's own email reports of a site (docs/reports.md): any role may get them. */
export const reportsRouter = createTRPCRouter({
  mine: siteProcedure.query(async ({ ctx }) => ({
    frequencies: await reportsOf(ctx.site.id, ctx.session.user.id!),
    mailConfigured: Boolean(getConfig().mail.smtp_url),
  })),

  set: siteProcedure
    .input(z.object({ frequency: z.enum(REPORT_FREQUENCIES as [ReportFrequency, ...ReportFrequency[]]), on: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await setReport(ctx.site.id, ctx.session.user.id!, input.frequency, input.on);
      return { frequencies: await reportsOf(ctx.site.id, ctx.session.user.id!) };
    }),
});
