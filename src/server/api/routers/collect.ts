import { getRedis } from "@/core/redis";
import { createTRPCRouter, siteProcedure } from "@/server/api/trpc";
import { lastCollectKey } from "@/server/ingest/collect";

/** The browser collector, as the keys page's snippet card sees it. */
export const collectRouter = createTRPCRouter({
  /** When the site last had a browser event accepted (ISO time), or null before its first. */
  status: siteProcedure.query(async ({ ctx }): Promise<{ lastEventAt: string | null }> => {
    const lastEventAt = await getRedis().get(lastCollectKey(ctx.site.id));
    return { lastEventAt };
  }),
});
