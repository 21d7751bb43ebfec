import { randomUUID } from "node:crypto";
import { getConfig } from "@/core/config";
import { parseStreamId } from "@/core/live/entry";
import { logger } from "@/core/logging/logger";
import { getRedis } from "@/core/redis";
import { acquireLease } from "@/server/live/connections";
import { getLiveHub, type LiveClient } from "@/server/live/hub";
import { checkSiteRead } from "@/server/readAccess";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Messages waiting for one slow client before it is dropped (about a minute and a half of a busy site). */
const MAX_QUEUED_MESSAGES = 500;

/**
 * GET /api/live?site=ID: the site's live view as Server-Sent Events (docs/live.md). The same read
 * access as GET /api/analytics (a dashboard session with a role on the site, or the site's read
 * key); at most `live.max_connections_per_user` open streams per user or key.
 */
export async function GET(request: Request): Promise<Response> {
  const target = await checkSiteRead(request);
  if (target instanceof Response) return target;
  const { access, site, params } = target;

  const holder = access.kind === "api_key" ? `key:${access.key.id}` : `user:${access.session.user.id}`;
  const connectionId = randomUUID();
  const cap = getConfig().live.max_connections_per_user;
  if (!(await acquireLease(getRedis(), holder, connectionId, cap))) {
    return Response.json(
      { error: "too_many_streams", message: `at most ${cap} live streams may be open at once per user or key: close another tab` },
      { status: 429, headers: { "cache-control": "no-store", "retry-after": "15" } },
    );
  }

  const hub = getLiveHub();
  let client: LiveClient | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      client = {
        siteId: site.id,
        // The header when EventSource reconnects by itself; the parameter when the page opens a new one.
        lastId: parseStreamId(request.headers.get("last-event-id") ?? params.get("last_event_id")),
        holder,
        connectionId,
        write: (chunk) => {
          if (!open) return;
          // A client that stopped reading (or reads far slower than events come) would hold an
          // ever longer queue here: drop it instead; a browser reconnects and resumes from its id.
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_MESSAGES) return client!.close();
          controller.enqueue(chunk);
        },
        close: () => {
          if (!open) return;
          open = false;
          hub.remove(client!);
          controller.close();
        },
      };
      request.signal.addEventListener("abort", () => client?.close());
      hub.add(client).catch((err: unknown) => {
        logger.warn({ err, siteId: site.id }, "could not start a live stream");
        client?.close();
      });
    },
    cancel() {
      client?.close();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform and an explicit identity encoding keep compression (Next's, a proxy's) from
      // holding messages back; X-Accel-Buffering does the same for nginx.
      "cache-control": "no-cache, no-store, no-transform",
      "content-encoding": "none",
      "x-accel-buffering": "no",
      connection: "keep-alive",
    },
  });
}
