/**
 * The one place that sets up tRPC for the web app: the request context, the transformer, how errors
 * are shaped for the client, and the procedure tiers. Routers import only what is exported here.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { siteForUser, type SiteWithAccess } from "@/core/db/sites";
import { allows } from "@/core/sites/access";
import { getServerAuthSession } from "@/server/auth";

export interface TRPCContext {
  session: Session | null;
  headers: Headers;
}

/** Per-request context: the NextAuth session read from the request's cookies (null when signed out). */
export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  return { session: await getServerAuthSession(), headers: opts.headers };
}

/** What a client sees of an unexpected failure; the real error goes to the log (src/app/api/trpc). */
export const INTERNAL_ERROR_MESSAGE = "Something went wrong on the server. Try again, or see the server log.";

// Outside development an unexpected error's message (SQL, table names, hosts) and stack stay in the log.
const isDevelopment = process.env.NODE_ENV === "development";

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  isDev: isDevelopment,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const hide = !isDevelopment && error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      message: hide ? INTERNAL_ERROR_MESSAGE : shape.message,
      data: {
        ...shape.data,
        // Field-by-field messages for forms (a stack only in development: isDev above).
        zodError: error.code === "BAD_REQUEST" && cause instanceof ZodError ? z.flattenError(cause) : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** No session needed: only the token-bound procedures of src/server/api/routers/public.ts (listed in the router walk test). */
export const publicProcedure = t.procedure;

/** The signed-in user as the access rules see them (src/core/sites/access.ts). */
export interface DashboardUser {
  id: string;
  email: string;
  role: "admin" | "member";
}

/** Requires a signed-in dashboard user; answers UNAUTHORIZED otherwise. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  const user = ctx.session?.user;
  if (!user?.id) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to use the dashboard." });
  }
  const dashboardUser: DashboardUser = { id: user.id, email: user.email ?? "", role: user.role ?? "member" };
  return next({ ctx: { ...ctx, session: { ...ctx.session!, user }, user: dashboardUser } });
});

/** Admins only (users, sites, settings of the install); FORBIDDEN for members. */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Only an admin can do that." });
  return next();
});

/**
 * Every procedure about one site takes `siteId` and goes through this tier: the user's access to
 * the site is checked here, in one place, and the site is handed to the procedure as ctx.site. A
 * site the user has no role on answers NOT_FOUND, the same as one that does not exist, so ids of
 * other people's sites cannot be probed.
 */
export const siteProcedure = protectedProcedure.input(z.object({ siteId: z.uuid() })).use(async ({ ctx, input, next }) => {
  const site: SiteWithAccess | null = await siteForUser(ctx.user, input.siteId);
  if (!site) throw new TRPCError({ code: "NOT_FOUND", message: "No such site." });
  return next({ ctx: { ...ctx, site } });
});

/** Editors and admins of the site: its keys and settings. FORBIDDEN for its viewers. */
export const siteEditorProcedure = siteProcedure.use(({ ctx, next }) => {
  if (!allows(ctx.site.access, "edit")) throw new TRPCError({ code: "FORBIDDEN", message: "Only an editor of this site can do that." });
  return next();
});

/** Admins, within one site (its members, deleting it). */
export const siteAdminProcedure = siteProcedure.use(({ ctx, next }) => {
  if (!allows(ctx.site.access, "administer")) throw new TRPCError({ code: "FORBIDDEN", message: "Only an admin can do that." });
  return next();
});
