import { InvalidRangeError, resolveRange } from "@/core/analytics/range";
import { getAnalyticsReport } from "@/core/db/analytics";
import { verifyApiKey } from "@/core/db/apiKeys";
import { logger } from "@/core/logging/logger";
import { getServerAuthSession } from "@/server/auth";
import { apiKeyFromHeaders } from "@/server/ingest/auth";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_LIMIT = 10_000;

function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

/** The dashboard session, if any; without a configured auth secret nobody can have one. */
async function currentSession(): Promise<unknown> {
  try {
    return await getServerAuthSession();
  } catch (err) {
    logger.warn({ err }, "no dashboard session check possible");
    return null;
  }
}

/** A read-scoped API key or a dashboard session. */
async function authorize(request: Request): Promise<Response | null> {
  const secret = apiKeyFromHeaders(request.headers.get("authorization"), request.headers.get("x-api-key"));
  if (secret) {
    const key = await verifyApiKey(secret);
    if (!key) return json(401, { error: "unauthorized", message: "unknown or revoked API key" });
    if (!key.scopes.includes("read")) {
      return json(403, { error: "forbidden", message: 'this API key lacks the "read" scope' });
    }
    return null;
  }
  if (await currentSession()) return null;
  return json(401, {
    error: "unauthorized",
    message: "send an API key with the read scope (Authorization: Bearer <key> or X-API-Key) or sign in",
  });
}

/** GET /api/analytics?from=YYYY-MM-DD&to=YYYY-MM-DD[&limit=N] (SPEC §5). */
export async function GET(request: Request): Promise<Response> {
  try {
    const denied = await authorize(request);
    if (denied) return denied;
    const params = new URL(request.url).searchParams;
    let range;
    try {
      range = resolveRange({ from: params.get("from") ?? undefined, to: params.get("to") ?? undefined });
    } catch (err) {
      if (err instanceof InvalidRangeError) {
        return json(400, { error: "invalid_query", issues: [{ path: err.path, message: err.message }] });
      }
      throw err;
    }
    const rawLimit = params.get("limit");
    const limit = rawLimit === null ? undefined : Number(rawLimit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) {
      return json(400, { error: "invalid_query", issues: [{ path: "limit", message: `limit must be an integer from 1 to ${MAX_LIMIT}` }] });
    }
    return json(200, await getAnalyticsReport(range, { limit }));
  } catch (err) {
    logger.error({ err }, "analytics query failed");
    return json(503, { error: "service_unavailable", message: "analytics are unavailable right now; try again shortly" }, { "retry-after": "5" });
  }
}
