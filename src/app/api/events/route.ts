import { readRequestBody } from "@/server/ingest/body";
import { ingest } from "@/server/ingest/handler";
import { preflight, toResponse } from "@/server/ingest/responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const reply = await ingest({
    header: (name) => request.headers.get(name),
    readBody: (maxBytes) => readRequestBody(request, maxBytes),
  });
  return toResponse(reply);
}

/** CORS preflight, so browsers on other origins can send events with their key in a header. */
export function OPTIONS(): Response {
  return toResponse(preflight());
}
