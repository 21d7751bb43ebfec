import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createSite, deleteSite, deletionPreview, listSitesFor, setSharing, updateSite, type SiteWithAccess } from "@/core/db/sites";
import { enqueueManualEtlRun } from "@/core/queues/etlQueue";
import { allows } from "@/core/sites/access";
import { siteInputSchema, siteUpdateSchema } from "@/core/sites/input";
import {
  adminProcedure,
  createTRPCRouter,
  protectedProcedure,
  siteAdminProcedure,
  siteEditorProcedure,
  siteProcedure,
} from "@/server/api/trpc";

/** What a user is shown of a site: the shared link's token only to those who may turn it off. */
function view(site: SiteWithAccess) {
  return { ...site, shareToken: allows(site.access, "edit") ? site.shareToken : null };
}

/** Sites, thin over src/core/db/sites (docs/sites.md). Creating and deleting are for admins, settings for editors. */
export const sitesRouter = createTRPCRouter({
  /** The sites the user has a role on (all of them for an admin), oldest first: the site switcher. */
  list: protectedProcedure.query(async ({ ctx }) => (await listSitesFor(ctx.user)).map(view)),

  get: siteProcedure.query(({ ctx }) => view(ctx.site)),

  create: adminProcedure.input(siteInputSchema).mutation(async ({ input }) => createSite(input)),

  /**
   * Name, hostnames and time zone. A new time zone moves the site's dates: the site is flagged and
   * an ETL pass is queued, which recomputes them in one transaction (`recomputing` until it has).
   */
  update: siteEditorProcedure.input(z.object({ settings: siteUpdateSchema })).mutation(async ({ ctx, input }) => {
    const { site, recompute } = await updateSite(ctx.site.id, input.settings);
    if (recompute) await enqueueManualEtlRun(undefined, ctx.user.email || undefined);
    return view({ ...site, access: ctx.site.access });
  }),

  /** On: a new unguessable link each time. Off: the old link answers 404 at once. */
  setSharing: siteEditorProcedure.input(z.object({ on: z.boolean() })).mutation(async ({ ctx, input }) => {
    const site = await setSharing(ctx.site.id, input.on);
    return view({ ...site, access: ctx.site.access });
  }),

  /** What deleting the site removes, shown in the confirmation before anything goes. */
  deletionPreview: siteAdminProcedure.query(({ ctx }) => deletionPreview(ctx.site.id)),

  /** Deletes the site and all its rows; the user types the site's name to confirm. */
  delete: siteAdminProcedure.input(z.object({ confirmName: z.string().max(200) })).mutation(async ({ ctx, input }) => {
    if (input.confirmName.trim() !== ctx.site.name) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `Type the site's name, "${ctx.site.name}", to confirm.` });
    }
    return deleteSite(ctx.site.id);
  }),
});
