import { logger } from "@/core/logging/logger";
import { discardRequestBody, readRequestBody } from "@/server/ingest/body";
import { collect } from "@/server/ingest/collect";
import { internalError, toResponse } from "@/server/ingest/responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/collect: the browser collector (src/server/ingest/collect.ts, docs/collector.md). */
export async function POST(request: Request): Promise<Response> {
  try {
    const reply = await collect(
      {
        header: (name) => request.headers.get(name),
        readBody: (maxBytes) => readRequestBody(request, maxBytes),
        discardBody: () => discardRequestBody(request),
      },
      request.headers,
    );
    return toResponse(reply);
  } catch (err) {
    logger.error({ err }, "collect request failed");
    return toResponse(internalError());
  }
}

/**
 * Preflight of a JSON POST from a page (sendBeacon's text/plain needs none). It carries no key, so
 * the site is not known yet: it allows POST with Content-Type for the asking origin, and the POST
 * itself is refused (403, no CORS headers) when that origin is not one of the key's site's hostnames.
 */
export function OPTIONS(request: Request): Response {
  const origin = request.headers.get("origin");
  if (!origin) return new Response(null, { status: 403 });
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "Content-Type",
      "access-control-max-age": "86400",
      vary: "Origin",
    },
  });
}
