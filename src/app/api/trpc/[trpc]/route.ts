import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getConfig } from "@/core/config";
import { logger } from "@/core/logging/logger";
import { refuseUnsafeMutation } from "@/server/api/mutationGuard";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";

export const dynamic = "force-dynamic";

async function handler(req: Request): Promise<Response> {
  const refused = refuseUnsafeMutation(req, new URL(getConfig().app.base_url).origin);
  if (refused) return refused;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    onError({ path, error }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        logger.error({ path, err: error.cause ?? error }, "tRPC procedure failed");
      }
    },
    responseMeta() {
      // Per-user data: never cached by a browser or a proxy.
      return { headers: new Headers({ "cache-control": "no-store" }) };
    },
  });
}

export { handler as GET, handler as POST };
