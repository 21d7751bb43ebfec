import { alertsRouter } from "@/server/api/routers/alerts";
import { analyticsRouter } from "@/server/api/routers/analytics";
import { apiKeysRouter } from "@/server/api/routers/apiKeys";
import { collectRouter } from "@/server/api/routers/collect";
import { etlRouter } from "@/server/api/routers/etl";
import { exportsRouter } from "@/server/api/routers/exports";
import { membersRouter } from "@/server/api/routers/members";
import { reportsRouter } from "@/server/api/routers/reports";
import { inviteRouter, sharedRouter } from "@/server/api/routers/public";
import { sitesRouter } from "@/server/api/routers/sites";
import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";

/** Every router of the dashboard API, mounted under /api/trpc. */
export const appRouter = createTRPCRouter({
  sites: sitesRouter,
  members: membersRouter,
  analytics: analyticsRouter,
  etl: etlRouter,
  apiKeys: apiKeysRouter,
  collect: collectRouter,
  alerts: alertsRouter,
  reports: reportsRouter,
  exports: exportsRouter,
  shared: sharedRouter,
  invite: inviteRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (RSC, tests): `createCaller(ctx).analytics.report({ siteId })`. */
export const createCaller = createCallerFactory(appRouter);
