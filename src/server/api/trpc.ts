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

/** No session needed. Nothing in the app uses it today; every procedure is protected (see the router walk test). */
export const publicProcedure = t.procedure;

/** Requires a signed-in dashboard user; answers UNAUTHORIZED otherwise. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session?.user) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to use the dashboard." });
  }
  return next({ ctx: { ...ctx, session: { ...ctx.session, user: ctx.session.user } } });
});
