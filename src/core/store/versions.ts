/**
 * Which facts changed, in commit order (docs/dashboard-store.md). Every transaction that changes
 * facts ends with factChangesSql: it bumps the one row of data_version (its row lock orders the
 * bumps as the commits are ordered) and stamps the (site, date) pairs it rewrote with the new
 * version. The dashboard's columnar copy (./factStore.ts) then reads only the pairs stamped after
 * the version it holds (or, after small ETL passes, only the sessions they list), and the report
 * caches (src/core/db/analytics.ts) are keyed by the version.
 */

/** Stands for every date of a site: its time zone changed, it was deleted, or all facts were rebuilt. */
export const WHOLE_SITE = "-infinity";

export interface FactChanges {
  /** (site, date) pairs whose facts were replaced. */
  pairs: readonly { siteId: string; date: string }[];
  /** Sites whose facts were all replaced or deleted. */
  sites: readonly string[];
  /**
   * Every session whose facts were deleted or written, when the transaction changed nothing else
   * (no whole site): a copy then reloads only these, if there are at most MAX_LISTED_SESSIONS.
   */
  sessions?: { siteIds: readonly string[]; sessionIds: readonly string[] };
}

/** A transaction that rewrote more sessions is reloaded by its (site, date) pairs. */
export const MAX_LISTED_SESSIONS = 5_000;
/** How many versions' session lists are kept; a copy further behind reloads by pairs. */
export const KEPT_SESSION_LISTS = 1_000;

type ChangeValues = [string[], string[], readonly string[] | null, readonly string[] | null];

/**
 * One statement (text and values, for pg or Prisma's $executeRawUnsafe); null when nothing
 * changed. Besides the pairs, it records the new version's sessions in fact_session_changes
 * (NULL lists when they are not listed) and drops the lists of old versions.
 */
export function factChangesSql(changes: FactChanges): { text: string; values: ChangeValues } | null {
  const siteIds = [...changes.pairs.map((p) => p.siteId), ...changes.sites];
  const dates = [...changes.pairs.map((p) => p.date), ...changes.sites.map(() => WHOLE_SITE)];
  if (siteIds.length === 0) return null;
  const listed =
    changes.sessions && changes.sites.length === 0 && changes.sessions.siteIds.length <= MAX_LISTED_SESSIONS ? changes.sessions : null;
  return {
    text: `WITH v AS (UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version),
      listed AS (INSERT INTO fact_session_changes (version, site_ids, session_ids) SELECT v.version, $3::uuid[], $4::text[] FROM v),
      old AS (DELETE FROM fact_session_changes c USING v WHERE c.version <= v.version - ${KEPT_SESSION_LISTS})
      INSERT INTO fact_versions (site_id, date, version)
      SELECT DISTINCT k.site_id, k.date, v.version FROM v, unnest($1::uuid[], $2::date[]) AS k(site_id, date)
      ON CONFLICT (site_id, date) DO UPDATE SET version = EXCLUDED.version`,
    values: [siteIds, dates, listed?.siteIds ?? null, listed?.sessionIds ?? null],
  };
}

/** The version of the facts a query sees: 0 before anything was written. */
export const DATA_VERSION_SQL = "SELECT version::text AS version FROM data_version WHERE id = 1";
