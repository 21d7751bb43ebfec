/**
 * The one place that sets up tRPC for the web app: the request context, the transformer, how errors
 * are shaped for the client, and the procedure tiers. Routers import only what is exported here.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { getServerAuthSession } from "@/server/auth";

export interface TRPCContext {
  session: Session | null;
  headers: Headers;
}

/** Per-request context: the NextAuth session read from the request's cookies (null when signed out). */
export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  return { session: await getServerAuthSession(), headers: opts.headers };
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field-by-field messages for forms; never a stack trace (tRPC omits it outside development).
        zodError: error.code === "BAD_REQUEST" && cause instanceof ZodError ? z.flattenError(cause) : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** No session needed. Nothing in the app uses it today; every procedure is protected (see the router walk test). */
export const publicProcedure = t.procedure;

/** Requires a signed-in dashboard user; answers UNAUTHORIZED otherwise. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session?.user) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to use the dashboard." });
  }
  return next({ ctx: { ...ctx, session: { ...ctx.session, user: ctx.session.user } } });
});
