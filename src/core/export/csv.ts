import { stringify } from "csv-stringify/sync";
import { EVENT_DIMS } from "../dimensions/registry";
import type { StoredEvent } from "../events/schema";
import type { RawExportQuery, RawExportStats } from "./rawEvents";
import { rawEvents } from "./rawEvents";

/**
 * CSV (RFC 4180, by csv-stringify: quotes, commas, newlines and quotes in values) with a guard
 * for spreadsheet apps: a cell starting with = + - @ (or a tab or carriage return, which some
 * apps skip before looking) would be run as a formula, so it gets a leading apostrophe (OWASP's
 * advice for CSV injection). Numbers are written as numbers and never guarded.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export type CsvValue = string | number | null | undefined;

export function guardCell(value: CsvValue): string | number {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A whole CSV document: a header row, then the rows, every cell guarded. */
export function csvOf(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return stringify([header.map(guardCell), ...rows.map((row) => row.map(guardCell))], { record_delimiter: "\r\n" });
}

/** Columns of the raw events CSV: the event's fields, one column per stored dimension, props as JSON. */
export const RAW_CSV_COLUMNS = [
  "event_id",
  "event_time",
  "event_type",
  "site_id",
  "user_id",
  "session_id",
  "page_path",
  "button_id",
  ...EVENT_DIMS,
  "props",
] as const;

function rawRow(event: StoredEvent): CsvValue[] {
  return [
    event.event_id,
    event.event_time,
    event.event_type,
    event.site_id,
    event.user_id,
    event.session_id,
    event.page_path,
    event.button_id,
    ...EVENT_DIMS.map((name) => event.dims?.[name]),
    event.props === undefined ? undefined : JSON.stringify(event.props),
  ];
}

const ROWS_PER_CHUNK = 2_000;

/** The CSV export of the range's raw events (header first), in chunks of ROWS_PER_CHUNK rows. */
export async function* rawCsvChunks(query: RawExportQuery, stats: RawExportStats): AsyncGenerator<Buffer> {
  yield Buffer.from(csvOf(RAW_CSV_COLUMNS, []));
  let rows: CsvValue[][] = [];
  const flush = () =>
    Buffer.from(
      stringify(
        rows.map((row) => row.map(guardCell)),
        { record_delimiter: "\r\n" },
      ),
    );
  for await (const { event } of rawEvents(query, stats)) {
    rows.push(rawRow(event));
    if (rows.length >= ROWS_PER_CHUNK) {
      yield flush();
      rows = [];
    }
  }
  if (rows.length > 0) yield flush();
}
