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

export const createTableSql = (table: StoreTable): string =>
  `CREATE TABLE ${table.name} (${table.columns.map(([c, type]) => `"${c}" ${type} NOT NULL`).join(", ")})`;
