import { Prisma } from "../../generated/prisma/client";
import type { DateRange } from "../analytics/types";
import { getPrisma } from "../db/client";
import type { Filter } from "../dimensions/filters";
import { sessionFilterSql } from "../dimensions/sql";

const DAY_MS = 86_400_000;
/** Widest UTC offset of any zone: sessions that can have events on a date of the range in the site's zone. */
const ZONE_SLACK_MS = 14 * 3_600_000;

/**
 * The sessions of a site that the filters keep, as the dashboard counts them (docs/dimensions.md:
 * a session's dimensions, or a page or event it has), among those with events near the range.
 * Sessions the ETL has not summarized yet are not known here, so a filtered export holds what the
 * dashboard showed as of the last pass.
 */
export async function sessionsMatching(siteId: string, range: DateRange, filters: readonly Filter[]): Promise<Set<string>> {
  const from = new Date(Date.parse(`${range.from}T00:00:00Z`) - ZONE_SLACK_MS);
  const to = new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS + ZONE_SLACK_MS);
  const rows = await getPrisma().$queryRaw<Array<{ session_id: string }>>(Prisma.sql`
    SELECT f.session_id FROM session_facts f
    WHERE f.site_id = ${siteId}::uuid AND f.start_time < ${to} AND f.last_event_at >= ${from}
      AND ${sessionFilterSql(filters, siteId)}`);
  return new Set(rows.map((r) => r.session_id));
}
