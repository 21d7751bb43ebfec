import { handleIngest } from "@/server/ingest/handler";
import { CORS_HEADERS } from "@/server/ingest/responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleIngest(request);
}

/** CORS preflight, so browsers on other origins can send events with their key in a header. */
export function OPTIONS(): Response {
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}
