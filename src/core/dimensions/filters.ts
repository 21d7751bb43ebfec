import { z } from "zod";
import { fitsUtf8, ID_TEXT } from "../events/text";
import { DIMENSIONS, MAX_DIMENSION_BYTES, type DimensionName } from "./registry";

/**
 * Filters (docs/dimensions.md, "Filters"): `[dimension, operator, value]` triples combined with
 * AND. The API takes them as `filters=<JSON array>`, the dashboard keeps the same text in its URL,
 * and tRPC takes the array itself: one schema checks all three.
 */
export const FILTER_OPERATORS = ["is", "is_not", "contains"] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];
export const MAX_FILTERS = 10;

export interface Filter {
  dimension: DimensionName;
  operator: FilterOperator;
  value: string;
}

const names = DIMENSIONS.map((d) => d.name) as [DimensionName, ...DimensionName[]];

const filterTuple = z
  .tuple([
    z.string().refine((s): s is DimensionName => (names as string[]).includes(s), {
      error: (issue) => `unknown dimension "${String(issue.input)}"; dimensions are ${names.join(", ")}`,
    }),
    z.string().refine((s): s is FilterOperator => (FILTER_OPERATORS as readonly string[]).includes(s), {
      error: (issue) => `unknown operator "${String(issue.input)}"; operators are ${FILTER_OPERATORS.join(", ")}`,
    }),
    z
      .string()
      .regex(ID_TEXT, "a filter value must not hold control characters, U+0000 or lone surrogates")
      .refine((s) => fitsUtf8(s, MAX_DIMENSION_BYTES), `a filter value is at most ${MAX_DIMENSION_BYTES} bytes of UTF-8`),
  ])
  .transform(([dimension, operator, value]): Filter => ({
    dimension: dimension as DimensionName,
    operator: operator as FilterOperator,
    value,
  }));

export const filtersSchema = z.array(filterTuple).max(MAX_FILTERS, `at most ${MAX_FILTERS} filters`);

export type FiltersResult = { ok: true; filters: Filter[] } | { ok: false; path: string; message: string };

/** The `filters` query parameter: absent or empty means none. */
export function parseFilters(raw: string | null | undefined): FiltersResult {
  if (raw === null || raw === undefined || raw === "") return { ok: true, filters: [] };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {
      ok: false,
      path: "filters",
      message: 'filters must be a JSON array of [dimension, operator, value], e.g. [["device","is","mobile"]]',
    };
  }
  return checkFilters(value);
}

export function checkFilters(value: unknown): FiltersResult {
  const parsed = filtersSchema.safeParse(value);
  if (parsed.success) return { ok: true, filters: parsed.data };
  const issue = parsed.error.issues[0]!;
  const path = ["filters", ...issue.path.map(String)].join(".");
  const message =
    issue.code === "invalid_type" || issue.code === "too_small" || (issue.code === "too_big" && issue.path.length > 1)
      ? `${issue.message}: each filter is [dimension, operator, value]`
      : issue.message;
  return { ok: false, path, message };
}

/** The filters as the API and the URL write them; also the cache key of a filtered report. */
export function formatFilters(filters: readonly Filter[]): string {
  return filters.length === 0 ? "" : JSON.stringify(filters.map((f) => [f.dimension, f.operator, f.value]));
}
