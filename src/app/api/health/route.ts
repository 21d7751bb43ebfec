import { checkHealth } from "@/server/ingest/health";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Public: 200 when Kafka, PostgreSQL and Redis answer, 503 otherwise; never cached. */
export async function GET(): Promise<Response> {
  const { ok, report } = await checkHealth();
  return Response.json(report, { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
