import { InvalidRangeError, resolveRange } from "@/core/analytics/range";
import type { DateRange } from "@/core/analytics/types";
import { parseFilters, type Filter } from "@/core/dimensions/filters";
import { DIMENSIONS, dimensionNamed, type Dimension } from "@/core/dimensions/registry";
import { logger } from "@/core/logging/logger";
import { checkSiteRead } from "@/server/readAccess";

/** Rows per list (pages, buttons, breakdown values) when the request names no limit (docs/api.md). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

export function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

const invalid = (path: string, message: string): Response => json(400, { error: "invalid_query", issues: [{ path, message }] });

export interface AnalyticsQuery {
  siteId: string;
  /** The site's IANA time zone: its dates are days there. */
  timeZone: string;
  range: DateRange;
  limit: number;
  filters: Filter[];
  params: URLSearchParams;
}

/**
 * The checks GET /api/analytics and /api/analytics/breakdown share (docs/api.md): read access (a
 * session with `site=`, or a read key), then `from`/`to` in the site's time zone, `limit` and
 * `filters`; the first that fails answers, with a 400 naming the parameter.
 */
async function readQuery(request: Request): Promise<AnalyticsQuery | Response> {
  const target = await checkSiteRead(request);
  if (target instanceof Response) return target;
  const { site, params } = target;
  let range;
  try {
    range = resolveRange({ from: params.get("from") ?? undefined, to: params.get("to") ?? undefined }, site.timeZone);
  } catch (err) {
    if (err instanceof InvalidRangeError) return invalid(err.path, err.message);
    throw err;
  }
  const rawLimit = params.get("limit");
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return invalid("limit", `limit must be an integer from 1 to ${MAX_LIMIT}`);
  const filters = parseFilters(params.get("filters"));
  if (!filters.ok) return invalid(filters.path, filters.message);
  return { siteId: site.id, timeZone: site.timeZone, range, limit, filters: filters.filters, params };
}

/** Runs an analytics route: its query checked, then `answer`; a failing database is a 503, not a stack trace. */
export async function answerAnalytics(request: Request, answer: (query: AnalyticsQuery) => Promise<Response>): Promise<Response> {
  try {
    const query = await readQuery(request);
    return query instanceof Response ? query : await answer(query);
  } catch (err) {
    logger.error({ err }, "analytics query failed");
    return json(
      503,
      { error: "service_unavailable", message: "analytics are unavailable right now; try again shortly" },
      { "retry-after": "5" },
    );
  }
}

/** The `dimension` parameter of a breakdown, or the 400 naming the dimensions there are. */
export function dimensionParam(params: URLSearchParams): Dimension | Response {
  const name = params.get("dimension");
  const dimension = name === null ? undefined : dimensionNamed(name);
  if (dimension) return dimension;
  const known = DIMENSIONS.map((d) => d.name).join(", ");
  return invalid(
    "dimension",
    name === null ? `dimension is required; dimensions are ${known}` : `unknown dimension "${name}"; dimensions are ${known}`,
  );
}
