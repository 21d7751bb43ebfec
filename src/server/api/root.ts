import { analyticsRouter } from "@/server/api/routers/analytics";
import { apiKeysRouter } from "@/server/api/routers/apiKeys";
import { etlRouter } from "@/server/api/routers/etl";
import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";

/** Every router of the dashboard API, mounted under /api/trpc. */
export const appRouter = createTRPCRouter({
  analytics: analyticsRouter,
  etl: etlRouter,
  apiKeys: apiKeysRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (RSC, tests): `createCaller(ctx).analytics.report({})`. */
export const createCaller = createCallerFactory(appRouter);
