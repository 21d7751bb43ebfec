import { columnList, csvRows, STORE_TABLES, type StoreTable } from "./tables";

/**
 * In the copy, session_id is not the text but its key in `session_keys` (one BIGINT per distinct
 * id): the filters and breakdowns join and hash sessions by it, and hashing an integer instead of
 * a 38-byte id took the filtered page and CTR queries at 10M events from 103-114 ms to 67-87 ms
 * (README, "Where range queries run"). The mapping is one to one, so every join, IN and GROUP BY
 * on it gives what the text would; no query orders by or returns a session id. The rows arrive
 * from PostgreSQL with the text, as CSV files (./factStore.ts), and the keys are swapped in as
 * they are inserted.
 */
export const SESSION_KEY_TABLES_SQL = [
  "CREATE SEQUENCE session_key_seq",
  "CREATE TABLE session_keys (session_id VARCHAR NOT NULL, k BIGINT NOT NULL)",
] as const;

/**
 * The session ids a sync's rows carry: those in its files, or, for a sync by sessions, the ids
 * it lists (the files hold rows of those ids only; a listed id with no rows left gets a key that
 * nothing uses, which costs a few bytes).
 */
export type SyncIds = { files: ReadonlyMap<string, string>; first: boolean } | { listed: readonly string[] };

/** An id inlined as a DuckDB string: quotes doubled (ids with a backslash never get here, ./factStore.ts). */
export const quoted = (id: string): string => `'${id.replaceAll("'", "''")}'`;

/**
 * Statements that give the sync's new session ids a key and name the table that then holds the
 * key of every id of the sync: on the first load, session_keys itself; otherwise the connection's
 * temp table `sync_keys`, so that a sync of a few sessions reads session_keys once and its inserts
 * join the few keys it needs rather than every key of the copy.
 */
export function syncKeysSql(ids: SyncIds): { statements: string[]; keys: string } {
  const source =
    "listed" in ids
      ? `SELECT DISTINCT unnest([${ids.listed.map(quoted).join(", ")}]::VARCHAR[]) AS session_id`
      : STORE_TABLES.map((t) => `SELECT session_id FROM ${csvRows(t, ids.files.get(t.name)!)}`).join(" UNION ");
  if ("first" in ids && ids.first) {
    return {
      statements: [`INSERT INTO session_keys SELECT session_id, nextval('session_key_seq') FROM (${source})`],
      keys: "session_keys",
    };
  }
  const statements = [
    `CREATE TEMP TABLE sync_ids AS ${source}`,
    "CREATE TEMP TABLE sync_keys AS SELECT k.session_id, k.k FROM session_keys k WHERE k.session_id IN (SELECT session_id FROM sync_ids)",
    `CREATE TEMP TABLE new_keys AS SELECT n.session_id, nextval('session_key_seq') AS k FROM sync_ids n
      WHERE NOT EXISTS (SELECT 1 FROM sync_keys s WHERE s.session_id = n.session_id)`,
    "INSERT INTO session_keys SELECT session_id, k FROM new_keys",
    "INSERT INTO sync_keys SELECT session_id, k FROM new_keys",
    "DROP TABLE new_keys",
    "DROP TABLE sync_ids",
  ];
  return { statements, keys: "sync_keys" };
}

/** The keys of some listed ids, for a condition on the copy's session_id. */
export const listedKeysSql = (ids: Iterable<string>): string =>
  `SELECT k FROM sync_keys WHERE session_id IN (${[...ids].map(quoted).join(", ")})`;

/** A file's rows into the table, each session id replaced by its key in `keys`. */
export const insertFromCsvSql = (table: StoreTable, file: string, keys: string): string =>
  `INSERT INTO ${table.name} (${columnList(table)})
    SELECT ${table.columns.map(([c]) => (c === "session_id" ? "k.k" : `s."${c}"`)).join(", ")}
      FROM ${csvRows(table, file)} s JOIN ${keys} k ON k.session_id = s.session_id`;

/** Drops the keys no row refers to any more (after a whole site was reloaded or deleted). */
export const pruneSessionKeysSql = (): string =>
  `DELETE FROM session_keys WHERE k NOT IN (${STORE_TABLES.map((t) => `SELECT session_id FROM ${t.name}`).join(" UNION ALL ")})`;
