import { SESSION_DIMENSIONS } from "../dimensions/registry";

/**
 * The facts the dashboard's queries read (src/core/metrics/sql.ts, src/core/dimensions/sql.ts),
 * as the columnar copy holds them: the same table and column names as in PostgreSQL, so one SQL
 * text runs on both. Columns no range query reads (start and end times, event hours) stay behind.
 */
export interface StoreTable {
  name: "session_facts" | "page_visit_facts" | "click_facts" | "event_facts";
  /** [column, DuckDB type], in the order they are copied. */
  columns: readonly (readonly [string, string])[];
}

const keys = [
  ["site_id", "UUID"],
  ["session_id", "VARCHAR"],
] as const;

export const STORE_TABLES: readonly StoreTable[] = [
  {
    name: "session_facts",
    columns: [
      ...keys,
      ["user_id", "VARCHAR"],
      ["date", "DATE"],
      ["duration_ms", "BIGINT"],
      ["page_views", "INTEGER"],
      ...SESSION_DIMENSIONS.map((d) => [d.name, "VARCHAR"] as const),
    ],
  },
  {
    name: "page_visit_facts",
    columns: [
      ...keys,
      ["date", "DATE"],
      ["page_path", "VARCHAR"],
      ["user_id", "VARCHAR"],
      ["visits", "INTEGER"],
      ["timed_visits", "INTEGER"],
      ["time_spent_ms", "BIGINT"],
    ],
  },
  {
    name: "click_facts",
    columns: [...keys, ["date", "DATE"], ["page_path", "VARCHAR"], ["button_id", "VARCHAR"], ["clicks", "INTEGER"]],
  },
  {
    name: "event_facts",
    columns: [...keys, ["date", "DATE"], ["event_type", "VARCHAR"], ["count", "INTEGER"]],
  },
];

export const columnList = (table: StoreTable): string => table.columns.map(([c]) => `"${c}"`).join(", ");

/** In the copy, session_id is the id's key in session_keys (./sessionKeys.ts), not its text. */
export const createTableSql = (table: StoreTable): string =>
  `CREATE TABLE ${table.name} (${table.columns.map(([c, type]) => `"${c}" ${c === "session_id" ? "BIGINT" : type} NOT NULL`).join(", ")})`;

/**
 * The rows of one table as PostgreSQL's CSV sent them (session ids as text), read from the file
 * as a query needs them: nothing is staged in memory. "" is an empty string, never NULL (every
 * column is NOT NULL).
 */
export const csvRows = (table: StoreTable, file: string): string =>
  `read_csv('${file.replaceAll("'", "''")}', columns = {${table.columns
    .map(([c, type]) => `'${c}': '${c === "session_id" ? "VARCHAR" : type}'`)
    .join(
      ", ",
    )}}, header = false, delim = ',', quote = '"', escape = '"', auto_detect = false, allow_quoted_nulls = false, strict_mode = true)`;
