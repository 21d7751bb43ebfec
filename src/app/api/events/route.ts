import { logger } from "@/core/logging/logger";
import { discardRequestBody, readRequestBody } from "@/server/ingest/body";
import { ingest } from "@/server/ingest/handler";
import { internalError, preflight, toResponse } from "@/server/ingest/responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  try {
    const reply = await ingest({
      header: (name) => request.headers.get(name),
      readBody: (maxBytes) => readRequestBody(request, maxBytes),
      discardBody: () => discardRequestBody(request),
    });
    return toResponse(reply);
  } catch (err) {
    logger.error({ err }, "ingest request failed");
    return toResponse(internalError());
  }
}

/** CORS preflight, so browsers on other origins can send events with their key in a header. */
export function OPTIONS(): Response {
  return toResponse(preflight());
}
