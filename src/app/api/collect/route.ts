import { logger } from "@/core/logging/logger";
import { discardRequestBody, readRequestBody } from "@/server/ingest/body";
import { collect, collectPreflight } from "@/server/ingest/collect";
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

/** Preflight of a JSON POST from a page (collectPreflight in src/server/ingest/collect.ts). */
export function OPTIONS(request: Request): Response {
  return toResponse(collectPreflight(request.headers.get("origin")));
}
