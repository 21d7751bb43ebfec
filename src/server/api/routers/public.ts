import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { InviteError, inviteFor, redeemInvite } from "@/core/db/members";
import { siteBySharedToken } from "@/core/db/sites";
import { PasswordPolicyError } from "@/core/db/users";
import { breakdownInputSchema, reportInputSchema, siteBreakdown, siteReport } from "@/server/api/siteReport";
import { createTRPCRouter, publicProcedure } from "@/server/api/trpc";

/*
 * The only procedures that answer without a session (listed in the router walk test,
 * test/integration/dashboard/unauthorized.test.ts). Each is bound to an unguessable token: the
 * shared link of one site (24 random bytes) or a one-time invitation (32 random bytes).
 */

const shareToken = z.string().max(64);
const NOT_SHARED = "This shared dashboard does not exist, or its owner turned the link off.";

async function sharedSite(token: string) {
  const site = await siteBySharedToken(token);
  if (!site) throw new TRPCError({ code: "NOT_FOUND", message: NOT_SHARED });
  return site;
}

/** A site's read-only dashboard behind its shared link: its name, time zone and report, nothing else. */
export const sharedRouter = createTRPCRouter({
  site: publicProcedure.input(z.object({ token: shareToken })).query(async ({ input }) => {
    const { id, name, timeZone } = await sharedSite(input.token);
    return { id, name, timeZone };
  }),
  report: publicProcedure.input(reportInputSchema.extend({ token: shareToken })).query(async ({ input }) => {
    const { token, ...query } = input;
    return siteReport(await sharedSite(token), query);
  }),
  breakdown: publicProcedure.input(breakdownInputSchema.extend({ token: shareToken })).query(async ({ input }) => {
    const { token, ...query } = input;
    return siteBreakdown(await sharedSite(token), query);
  }),
});

const inviteToken = z.string().max(64);

/** Setting a password through a one-time invitation link (src/core/db/members.ts). */
export const inviteRouter = createTRPCRouter({
  get: publicProcedure.input(z.object({ token: inviteToken })).query(async ({ input }) => {
    const invite = await inviteFor(input.token);
    if (!invite)
      throw new TRPCError({ code: "NOT_FOUND", message: "This invitation link is not valid any more. Ask the admin for a new one." });
    return invite;
  }),
  redeem: publicProcedure.input(z.object({ token: inviteToken, password: z.string().max(1000) })).mutation(async ({ input }) => {
    try {
      return await redeemInvite(input.token, input.password);
    } catch (err) {
      if (err instanceof InviteError) throw new TRPCError({ code: "NOT_FOUND", message: err.message, cause: err });
      if (err instanceof PasswordPolicyError) throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
      throw err;
    }
  }),
});
