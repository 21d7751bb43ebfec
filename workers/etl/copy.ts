import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

const SPECIAL = /[\\\t\n\r]/;

/** A text value in PostgreSQL's COPY text format (numbers and dates need no escaping). */
export function copyText(value: string): string {
  // Backslash first, then the characters that would end a field or a row.
  return SPECIAL.test(value) ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : value;
}

const ROWS_PER_CHUNK = 5_000;

/**
 * Streams rows into a table with COPY … FROM STDIN, the fastest way PostgreSQL takes bulk
 * rows; it runs on the caller's connection, so it is part of the caller's transaction.
 */
export async function copyRows<T>(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly T[],
  /** One row's fields joined by tabs; text fields through copyText. */
  formatRow: (row: T) => string,
): Promise<number> {
  if (rows.length === 0) return 0;
  function* chunks(): Generator<string> {
    for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
      let text = "";
      const end = Math.min(rows.length, i + ROWS_PER_CHUNK);
      for (let j = i; j < end; j++) text += `${formatRow(rows[j]!)}\n`;
      yield text;
    }
  }
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
  await pipeline(Readable.from(chunks()), sink);
  return rows.length;
}
