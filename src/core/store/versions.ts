/**
 * Which facts changed, in commit order (docs/dashboard-store.md). Every transaction that changes
 * facts ends with factChangesSql: it bumps the one row of data_version (its row lock orders the
 * bumps as the commits are ordered) and stamps the (site, date) pairs it rewrote with the new
 * version. The dashboard's columnar copy (./factStore.ts) then reads only the pairs stamped after
 * the version it holds, and the report caches (src/core/db/analytics.ts) are keyed by the version.
 */

/** Stands for every date of a site: its time zone changed, it was deleted, or all facts were rebuilt. */
export const WHOLE_SITE = "-infinity";

export interface FactChanges {
  /** (site, date) pairs whose facts were replaced. */
  pairs: readonly { siteId: string; date: string }[];
  /** Sites whose facts were all replaced or deleted. */
  sites: readonly string[];
}

/** One statement (text and values, for pg or Prisma's $executeRawUnsafe); null when nothing changed. */
export function factChangesSql(changes: FactChanges): { text: string; values: [string[], string[]] } | null {
  const siteIds = [...changes.pairs.map((p) => p.siteId), ...changes.sites];
  const dates = [...changes.pairs.map((p) => p.date), ...changes.sites.map(() => WHOLE_SITE)];
  if (siteIds.length === 0) return null;
  return {
    text: `WITH v AS (UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version)
      INSERT INTO fact_versions (site_id, date, version)
      SELECT DISTINCT k.site_id, k.date, v.version FROM v, unnest($1::uuid[], $2::date[]) AS k(site_id, date)
      ON CONFLICT (site_id, date) DO UPDATE SET version = EXCLUDED.version`,
    values: [siteIds, dates],
  };
}

/** The version of the facts a query sees: 0 before anything was written. */
export const DATA_VERSION_SQL = "SELECT version::text AS version FROM data_version WHERE id = 1";
