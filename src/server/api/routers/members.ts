import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getConfig } from "@/core/config";
import { createInvite, inviteMember, listMembers, MemberInputError, removeMember, setMemberRole } from "@/core/db/members";
import { createTRPCRouter, siteAdminProcedure } from "@/server/api/trpc";

const roleSchema = z.enum(["viewer", "editor"]);

/** A site's members and invitations (docs/sites.md, "Members"); admins manage people, as they manage users. */
export const membersRouter = createTRPCRouter({
  list: siteAdminProcedure.query(({ ctx }) => listMembers(ctx.site.id)),

  /**
   * Gives someone a role on the site, making their account if needed. `inviteUrl` is the one-time
   * link for a person who has no password yet; Pulse sends no email, so the admin passes it on.
   */
  invite: siteAdminProcedure.input(z.object({ email: z.string().max(320), role: roleSchema })).mutation(async ({ ctx, input }) => {
    try {
      return await inviteMember({ siteId: ctx.site.id, email: input.email, role: input.role, baseUrl: getConfig().app.base_url });
    } catch (err) {
      if (err instanceof MemberInputError) throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
      throw err;
    }
  }),

  /** A new one-time link for a member who has not set a password yet (the old one may be lost). */
  newInviteLink: siteAdminProcedure.input(z.object({ userId: z.uuid() })).mutation(async ({ ctx, input }) => {
    const member = (await listMembers(ctx.site.id)).find((m) => m.userId === input.userId);
    if (!member) throw new TRPCError({ code: "NOT_FOUND", message: "No such member of this site." });
    if (member.hasPassword) throw new TRPCError({ code: "BAD_REQUEST", message: "This person can already sign in." });
    return { inviteUrl: await createInvite(member.userId, getConfig().app.base_url) };
  }),

  setRole: siteAdminProcedure.input(z.object({ userId: z.uuid(), role: roleSchema })).mutation(async ({ ctx, input }) => {
    if (!(await setMemberRole(ctx.site.id, input.userId, input.role))) {
      throw new TRPCError({ code: "NOT_FOUND", message: "No such member of this site." });
    }
    return { ok: true as const };
  }),

  remove: siteAdminProcedure.input(z.object({ userId: z.uuid() })).mutation(async ({ ctx, input }) => {
    if (!(await removeMember(ctx.site.id, input.userId)))
      throw new TRPCError({ code: "NOT_FOUND", message: "No such member of this site." });
    return { ok: true as const };
  }),
});
